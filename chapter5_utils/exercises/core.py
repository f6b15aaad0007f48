"""The exercise registry and what a learner calls: ``check``, ``hint`` and ``solution``.

Each exercise is registered once, with a check function, hints and a worked solution, in English
and Korean. A check function receives the learner's answers and returns :func:`correct` or
:func:`not_yet`; ``check`` prints the result and never raises for a wrong answer.

Why not otter-grader: it is built for graded classroom assignments (a grader config, an
autograder zip, a server or a notebook export step) and brings a large dependency set into
Colab. Self-study needs only "correct / not yet, and why", which a page of code gives with
nothing to install.
"""

from __future__ import annotations

import numbers
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

LANGUAGES = ("en", "ko")
LANGUAGE_VARIABLE = "CHAPTER5_LANG"


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``status`` is "correct", "not_yet" or "not_attempted"; text in both languages."""

    status: str
    en: str
    ko: str

    def text(self, lang: str) -> str:
        """Return the message in ``lang`` ("en" or "ko")."""
        return self.ko if lang == "ko" else self.en


def as_number(value: Any) -> float | None:
    """Return a learner's answer as a float if it is one real number, else None.

    Python and NumPy numbers and one-element tensors count; bools (and bool tensors) do not.
    """
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return None
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def correct(en: str, ko: str) -> Feedback:
    """Return a *correct* result; ``en``/``ko`` say in one sentence what the answer shows."""
    return Feedback("correct", en, ko)


def not_yet(en: str, ko: str) -> Feedback:
    """Return a *not yet* result; ``en``/``ko`` name the symptom (expected vs got) and a likely cause."""
    return Feedback("not_yet", en, ko)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id ("02.2"), a check function, hints and a worked solution in both languages.

    ``check(*answers, **named)`` returns a :class:`Feedback`. ``hints`` and ``solution`` map a
    language to text; ``solution`` holds the code and one or two sentences of why.
    ``reference`` returns the reference answers as ``(args, kwargs)`` for ``check``; the tests
    assert that it passes.
    """

    id: str
    check: Callable[..., Feedback]
    hints: dict[str, list[str]]
    solution: dict[str, str]
    reference: Callable[[], tuple[tuple, dict]] = field(repr=False)


REGISTRY: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Return ``exercise`` after adding it to the registry (ids are unique, texts exist in both languages)."""
    if exercise.id in REGISTRY:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    for lang in LANGUAGES:
        if not exercise.hints.get(lang) or not exercise.solution.get(lang):
            raise ValueError(f"exercise {exercise.id!r} needs hints and a solution in {lang!r}")
    if len(exercise.hints["en"]) != len(exercise.hints["ko"]):
        raise ValueError(f"exercise {exercise.id!r} has a different number of hints in en and ko")
    REGISTRY[exercise.id] = exercise
    return exercise


def language() -> str:
    """Return the language of the messages: ``$CHAPTER5_LANG`` ("en" or "ko"), English by default."""
    lang = os.environ.get(LANGUAGE_VARIABLE, "en")
    return lang if lang in LANGUAGES else "en"


def _get(exercise_id: Any) -> Exercise | None:
    if isinstance(exercise_id, str) and exercise_id in REGISTRY:
        return REGISTRY[exercise_id]
    known = ", ".join(sorted(REGISTRY))
    print(f"There is no exercise {exercise_id!r}. The exercises are: {known}.")
    return None


def _is_placeholder(value: Any) -> bool:
    return value is Ellipsis


def not_attempted_message(exercise_id: str, lang: str) -> str:
    """Return the line ``check`` prints while the ``...`` placeholder is still in the answer."""
    if lang == "ko":
        return (
            f"연습문제 {exercise_id}: 아직 답이 없다. `...` 자리에 답을 쓰고 이 셀을 다시 실행하라. "
            f'힌트는 hint("{exercise_id}"), 풀이는 solution("{exercise_id}").'
        )
    return (
        f"Exercise {exercise_id}: not attempted yet. Replace the `...` with your answer and run this cell again. "
        f'For a hint: hint("{exercise_id}"); for the solution: solution("{exercise_id}").'
    )


def not_attempted(exercise_id: str) -> Feedback:
    """Return the *not attempted* result: a check returns it for a function whose body is still ``...``."""
    return Feedback("not_attempted", not_attempted_message(exercise_id, "en"), not_attempted_message(exercise_id, "ko"))


def evaluate(exercise_id: str, *answers: Any, **named: Any) -> Feedback:
    """Return the :class:`Feedback` for the learner's answers (``check`` prints it)."""
    exercise = REGISTRY[exercise_id]
    if any(_is_placeholder(a) for a in (*answers, *named.values())):
        return not_attempted(exercise_id)
    try:
        return exercise.check(*answers, **named)
    except Exception as error:  # the learner's code raised: report it, never a traceback
        where = traceback.extract_tb(error.__traceback__)[-1]
        return not_yet(
            f"Running your answer raised {type(error).__name__}: {error} (line {where.lineno}: {where.line}).",
            f"답을 실행하다가 {type(error).__name__} 오류가 났다: {error} ({where.lineno}행: {where.line}).",
        )


def check(exercise_id: str, *answers: Any, **named: Any) -> None:
    """Print whether the answers to exercise ``exercise_id`` are correct, not yet, or not attempted."""
    exercise = _get(exercise_id)
    if exercise is None:
        return
    feedback = evaluate(exercise_id, *answers, **named)
    lang = language()
    if feedback.status == "not_attempted":
        print(feedback.text(lang))
        return
    if lang == "ko":
        head = "정답이다." if feedback.status == "correct" else "아직 아니다."
        print(f"연습문제 {exercise_id}: {head} {feedback.text(lang)}")
    else:
        head = "correct." if feedback.status == "correct" else "not yet."
        print(f"Exercise {exercise_id}: {head} {feedback.text(lang)}")


def hint(exercise_id: str, number: int | None = None) -> None:
    """Print the hints of exercise ``exercise_id`` (all of them, or only hint ``number``, from 1)."""
    exercise = _get(exercise_id)
    if exercise is None:
        return
    hints = exercise.hints[language()]
    if number is not None:
        if not isinstance(number, int) or not 1 <= number <= len(hints):
            print(f"Exercise {exercise_id} has hints 1 to {len(hints)}; got {number!r}.")
            return
        hints = [hints[number - 1]]
    for text in hints:
        print(text)


def solution(exercise_id: str) -> None:
    """Print the worked solution of exercise ``exercise_id``: the code, then why it works."""
    exercise = _get(exercise_id)
    if exercise is None:
        return
    print(exercise.solution[language()])
