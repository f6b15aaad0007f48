"""The exercise registry: every exercise's reference answer passes its own check, every exercise is
reachable from its notebook, and check/hint/solution print instead of raising."""

import json
import re
from pathlib import Path

import pytest

from chapter5_utils import exercises
from chapter5_utils.exercises import core

ROOT = Path(__file__).resolve().parent.parent
IDS = sorted(exercises.REGISTRY)


@pytest.fixture(params=["en", "ko"])
def lang(request, monkeypatch):
    monkeypatch.setenv(core.LANGUAGE_VARIABLE, request.param)
    return request.param


def test_every_notebook_has_registered_exercises():
    numbers = {i.split(".")[0] for i in IDS}
    assert numbers == {"01", "02", "03", "04", "05"}


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_reference_answer_is_correct(exercise_id):
    args, kwargs = exercises.REGISTRY[exercise_id].reference()
    feedback = exercises.evaluate(exercise_id, *args, **kwargs)
    assert feedback.status == "correct", feedback.en
    assert feedback.en and re.search(r"[\uac00-\ud7a3]", feedback.ko)


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_placeholder_is_not_attempted(exercise_id, lang, capsys):
    args, kwargs = exercises.REGISTRY[exercise_id].reference()
    args = tuple(... for _ in args)
    kwargs = {k: ... for k in kwargs}
    assert exercises.evaluate(exercise_id, *args, **kwargs).status == "not_attempted"
    exercises.check(exercise_id, *args, **kwargs)
    assert capsys.readouterr().out == exercises.not_attempted_message(exercise_id, lang) + "\n"


@pytest.mark.parametrize("exercise_id", IDS)
def test_hint_and_solution_print_in_the_chosen_language(exercise_id, lang, capsys):
    exercises.hint(exercise_id)
    exercises.solution(exercise_id)
    out = capsys.readouterr().out
    hangul = re.search(r"[\uac00-\ud7a3]", out)
    assert out.strip() and (bool(hangul) if lang == "ko" else True)


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_exercise_is_checked_in_its_notebook(exercise_id):
    number = exercise_id.split(".")[0]
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    sources = "".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
    assert f'check("{exercise_id}"' in sources


def test_unknown_ids_and_hint_numbers_get_a_message(capsys):
    exercises.check("99.9", 1)
    exercises.hint(IDS[0], number=99)
    out = capsys.readouterr().out
    assert "There is no exercise '99.9'" in out and "has hints 1 to" in out


def test_an_answer_that_raises_is_reported_not_raised():
    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    exercise = core.Exercise("00.0", boom, {"en": ["h"], "ko": ["힌트"]}, {"en": "s", "ko": "풀이"}, lambda: ((), {}))
    core.REGISTRY["00.0"] = exercise
    try:
        feedback = exercises.evaluate("00.0", 1)
    finally:
        del core.REGISTRY["00.0"]
    assert feedback.status == "not_yet" and "ZeroDivisionError: division by zero" in feedback.en


def test_register_refuses_duplicates_and_missing_translations():
    existing = exercises.REGISTRY[IDS[0]]
    with pytest.raises(ValueError, match="registered twice"):
        exercises.register(existing)
    with pytest.raises(ValueError, match="needs hints and a solution in 'ko'"):
        exercises.register(core.Exercise("00.1", existing.check, {"en": ["h"]}, {"en": "s"}, existing.reference))


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_korean_solution_shows_the_same_code_as_the_english(exercise_id):
    """A solution is its code, then why it works: the code (every line before the first Korean one)
    must be the English solution's, so that a fix to one language's code cannot leave the other behind."""
    solution = exercises.REGISTRY[exercise_id].solution
    korean_lines = solution["ko"].splitlines()
    first_korean = next(i for i, line in enumerate(korean_lines) if re.search(r"[\uac00-\ud7a3]", line))
    code = korean_lines[:first_korean]
    assert len([line for line in code if line.strip()]) >= 2, "the solution starts with its code"
    assert solution["en"].splitlines()[: len(code)] == code
