"""The exercise registry and what a learner calls: ``check``, ``hint`` and ``solution``.

Each exercise is registered once, with a check function, hints and a worked solution, in English
and Korean. A check function receives the learner's answers and returns :func:`correct` or
:func:`not_yet` (or raises :class:`NotYet`); ``check`` prints the result and never raises.

What every check shares lives here:

- **Reading an answer.** :func:`read_number`, :func:`read_numbers`, :func:`read_bool`,
  :func:`read_tensor` and :func:`read_choice` accept the types a computation naturally returns
  (Python and NumPy scalars, 0-d and one-element tensors and arrays, sequences, arrays and tensors
  of numbers, ``np.bool_`` and bool tensors) and refuse NaN and inf with a message that says so.
  :func:`precision` gives the machine epsilon of an answer's dtype, so that a float32 answer is
  judged at float32 precision.
- **Running the learner's code.** Inside :func:`learner_code`, an exception is reported as the
  learner's, with the line of their code that raised it, and the time counts against
  ``TIME_LIMIT_S`` (20 s by default): an answer that runs longer is stopped with a message that says
  so. The limit needs ``signal.setitimer`` in the main thread (Linux, macOS, Colab, a Jupyter
  kernel); elsewhere the code runs without a limit. An exception anywhere else is the check's own
  bug, and is reported as that.
- **Leaving the learner's session alone.** Warnings raised while checking are not shown; the
  global random states, torch's default dtype and grad mode are restored afterwards.

Why not otter-grader: it is built for graded classroom assignments (a grader config, an
autograder zip, a server or a notebook export step) and brings a large dependency set into
Colab. Self-study needs only "correct / not yet, and why", which a page of code gives with
nothing to install.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import math
import numbers
import os
import random
import signal
import sys
import sysconfig
import textwrap
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from chapter5_utils.exercises.korean import attach

LANGUAGES = ("en", "ko")
LANGUAGE_VARIABLE = "CHAPTER5_LANG"
TIME_LIMIT_S = 20.0  # seconds of the learner's own code per check; None: no limit

STATUSES = ("correct", "not_yet", "not_attempted", "check_error")


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``status`` is one of ``STATUSES``; the text in both languages.

    "check_error" means that the check itself failed (a bug in the check, not in the answer).
    """

    status: str
    en: str
    ko: str

    def text(self, lang: str) -> str:
        """Return the message in ``lang`` ("en" or "ko")."""
        return self.ko if lang == "ko" else self.en


class NotYet(Exception):  # noqa: N818 - named for what the learner sees: "not yet"
    """Raised inside a check to answer *not yet*; ``feedback`` holds the message in both languages."""

    def __init__(self, en: str, ko: str) -> None:
        super().__init__(en)
        self.feedback = Feedback("not_yet", en, ko)


class _TimeUp(BaseException):  # noqa: N818 - a BaseException, so that a learner's `except Exception` cannot catch it
    """Raised by the alarm when the learner's code has used up the time limit."""


def correct(en: str, ko: str) -> Feedback:
    """Return a *correct* result; ``en``/``ko`` say in one sentence what the answer shows."""
    return Feedback("correct", en, ko)


def not_yet(en: str, ko: str) -> Feedback:
    """Return a *not yet* result; ``en``/``ko`` name the symptom (expected vs got) and a likely cause."""
    return Feedback("not_yet", en, ko)


# ------------------------------------------------------------------------------------ language


def language() -> str:
    """Return the language of the messages: "ko" when ``$CHAPTER5_LANG`` is Korean, else "en".

    ``ko``, ``KO``, ``ko_KR``, ``ko-KR`` and ``ko_KR.UTF-8`` all select Korean.
    """
    raw = os.environ.get(LANGUAGE_VARIABLE, "en").strip().lower().replace("_", "-")
    return "ko" if raw == "ko" or raw.startswith(("ko-", "ko.")) else "en"


# ------------------------------------------------------------------------- describing a value


def show(x: float, spec: str = ".4g") -> str:
    """Return the number ``x`` formatted with ``spec``, as a plain Python number (never a NumPy repr)."""
    return format(float(x), spec)


def _shape(shape: Any) -> str:
    dims = tuple(int(d) for d in shape)
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def describe(value: Any, lang: str = "en") -> str:
    """Return a short description of a learner's value for a message in ``lang``, without NumPy reprs."""
    ko = lang == "ko"
    if value is None or isinstance(value, bool | np.bool_):
        return str(value if value is None else bool(value))
    if isinstance(value, np.generic) and np.ndim(value) == 0:
        value = value.item()
    if isinstance(value, numbers.Real):
        return str(value) if isinstance(value, int) else show(value, ".6g")
    if isinstance(value, str):
        text = repr(value if len(value) <= 40 else value[:37] + "...")
        return f"문자열 {text}" if ko else f"the string {text}"
    if isinstance(value, torch.Tensor):
        where = " (meta)" if value.is_meta else ""
        dtype = str(value.dtype).replace("torch.", "")
        if value.numel() == 1 and not value.is_meta:
            number = describe(value.item(), lang)
            return f"원소 하나짜리 텐서({dtype}, {number})" if ko else f"a one-element tensor ({dtype}, {number})"
        return (f"모양이 {_shape(value.shape)}인 텐서({dtype}){where}" if ko
                else f"a tensor of shape {_shape(value.shape)} ({dtype}){where}")
    if isinstance(value, np.ndarray):
        return (f"모양이 {_shape(value.shape)}인 배열({value.dtype})" if ko
                else f"an array of shape {_shape(value.shape)} ({value.dtype})")
    if isinstance(value, torch.nn.Linear):  # its sizes are what a learner most often gets wrong
        layer = f"nn.Linear({value.in_features}, {value.out_features})"
        return f"`{layer}` 모듈" if ko else f"an {layer} module"
    if isinstance(value, torch.nn.Module):
        name = type(value).__name__
        return f"`{name}` 모듈" if ko else f"{_article(name)} {name} module"
    for kind, en_name, ko_name in ((list, "list", "리스트"), (tuple, "tuple", "튜플"), (set, "set", "집합")):
        if isinstance(value, kind):
            items = "item" if len(value) == 1 else "items"
            return f"원소가 {len(value)}개인 {ko_name}" if ko else f"a {en_name} of {len(value)} {items}"
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:4]) + (", …" if len(value) > 4 else "")
        if ko:
            return f"키가 {len(value)}개({keys})인 딕셔너리" if value else "빈 딕셔너리"
        if not value:
            return "an empty dict"
        return f"a dict with {len(value)} {'key' if len(value) == 1 else 'keys'} ({keys})"
    if inspect.isclass(value):
        return f"클래스 `{value.__name__}`" if ko else f"the class {value.__name__}"
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        return f"함수 `{name}`" if ko else f"the function {name}"
    name = type(value).__name__
    return f"`{name}` 객체" if ko else f"{_article(name)} {name} object"


def _article(word: str) -> str:
    """Return "an" before a word that starts with a vowel letter, else "a" (good enough for class names)."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def _got(value: Any) -> tuple[str, str]:
    return f"got {describe(value)}", f"받은 것: {describe(value, 'ko')}"


# ---------------------------------------------------------------------------- reading answers


def _is_bool_like(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, torch.Tensor):
        return value.dtype == torch.bool
    return isinstance(value, np.ndarray) and value.dtype == np.bool_


def as_number(value: Any) -> float | None:
    """Return a learner's answer as a float if it is one real number, else None.

    Python and NumPy numbers, 0-d and one-element arrays and tensors count (NaN and inf too: see
    :func:`read_number`); bools, bool tensors, complex numbers and meta tensors do not.
    """
    if _is_bool_like(value):
        return None
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_meta or value.is_complex():
            return None
        value = value.detach().cpu().reshape(()).item()
    elif isinstance(value, np.ndarray):
        if value.size != 1 or not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
            return None
        value = value.reshape(()).item()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def as_numbers(value: Any) -> np.ndarray | None:
    """Return a learner's answer as a float64 array if it is numbers (a list, tuple, array or tensor), else None.

    The elements of a list may be Python or NumPy numbers or one-element tensors; nested lists give a
    2-D array. Strings, bools, meta tensors and ragged lists give None. NaN and inf are kept.
    """
    if isinstance(value, str | bytes | dict | set) or _is_bool_like(value):
        return None
    if isinstance(value, torch.Tensor):
        if value.is_meta or value.is_complex():
            return None
        return value.detach().cpu().to(torch.float64).numpy().copy()
    if isinstance(value, np.ndarray):
        if not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
            return None
        return value.astype(np.float64)
    if isinstance(value, range):
        value = list(value)
    if isinstance(value, list | tuple):
        rows = []
        for item in value:
            number = as_number(item)
            if number is None:
                inner = as_numbers(item) if isinstance(item, list | tuple | np.ndarray | torch.Tensor) else None
                if inner is None or inner.ndim != 1:
                    return None
                rows.append(inner)
            else:
                rows.append(number)
        if all(isinstance(r, float) for r in rows):
            return np.asarray(rows, dtype=np.float64)
        if all(isinstance(r, np.ndarray) for r in rows) and len({r.shape for r in rows}) == 1:
            return np.stack(rows) if rows else None
        return None
    number = as_number(value)
    return None if number is None else np.asarray([number])


def as_bool(value: Any) -> bool | None:
    """Return a learner's answer as a bool if it is True or False (Python, ``np.bool_``, a one-element bool
    array or tensor), else None. The numbers 0 and 1 are not bools."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, torch.Tensor) and _is_bool_like(value) and value.numel() == 1 and not value.is_meta:
        return bool(value.reshape(()).item())
    if isinstance(value, np.ndarray) and _is_bool_like(value) and value.size == 1:
        return bool(value.reshape(()).item())
    return None


def precision(value: Any) -> float:
    """Return the machine epsilon of the floating dtype of a learner's answer (float64's for Python numbers).

    A tensor or array of float32 gives about 1.2e-7, of float16 about 1e-3; a list gives the largest of
    its elements'. Checks scale their tolerance with it, so that float32 is judged at float32 precision.
    """
    if isinstance(value, torch.Tensor):
        return torch.finfo(value.dtype).eps if value.is_floating_point() else float(np.finfo(np.float64).eps)
    if isinstance(value, np.ndarray | np.generic) and np.issubdtype(np.asarray(value).dtype, np.floating):
        return float(np.finfo(np.asarray(value).dtype).eps)
    if isinstance(value, list | tuple) and value:
        return max(precision(v) for v in value)
    if isinstance(value, dict) and value:
        return max(precision(v) for v in value.values())
    return float(np.finfo(np.float64).eps)


def dtype_name(value: Any) -> str:
    """Return the name of the floating dtype behind a learner's answer ("float32", "float64", ...)."""
    if isinstance(value, torch.Tensor):
        return str(value.dtype).replace("torch.", "")
    if isinstance(value, np.ndarray | np.generic):
        return str(np.asarray(value).dtype)
    if isinstance(value, list | tuple | dict) and value:
        items = value.values() if isinstance(value, dict) else value
        return max((dtype_name(v) for v in items), key=lambda name: _EPS_BY_NAME.get(name, 0.0))
    return "float64"


_EPS_BY_NAME = {"float64": 2.2e-16, "float32": 1.2e-7, "bfloat16": 7.8e-3, "float16": 9.8e-4}


def _non_finite(name: str, number: float, where_en: str = "", where_ko: str = "") -> NotYet:
    word = "nan (not a number)" if math.isnan(number) else show(number)
    word_ko = "nan(수가 아님)" if math.isnan(number) else show(number)
    return NotYet(
        f"`{name}{where_en}` is {word}: a value that is not finite never passes. It usually comes from a "
        "division by zero, a log of 0, or a training that diverged.",
        f"`{name}{where_ko}`의 값이 {attach(word_ko, '이다/다')}. 유한하지 않은 값은 정답이 될 수 없다. 흔히 0으로 "
        "나누었거나, "
        "0의 로그를 구했거나, 학습이 발산한 결과다.",
    )


def read_number(name: str, value: Any, *, whole: bool = False, minimum: float | None = None,
                maximum: float | None = None) -> float:
    """Return the learner's answer ``value`` as one finite number, or raise :class:`NotYet` saying why not.

    ``whole`` asks for a whole number (``3.0`` counts); ``minimum``/``maximum`` bound it (inclusive).
    """
    number = as_number(value)
    if number is None:
        many = as_numbers(value)
        if many is not None and many.size > 1:
            raise NotYet(
                f"`{name}` should be one number, got {describe(value)}: keep only the number the task asks for.",
                f"`{name}`에는 수 하나가 와야 한다. 받은 것: {describe(value, 'ko')}. 문제가 묻는 수 하나만 남겨라.",
            )
        en, ko = _got(value)
        if _is_bool_like(value):
            en += " (a bool is not a number here)"
            ko += "(여기서 bool은 수가 아니다)"
        raise NotYet(f"`{name}` should be a number, {en}.", f"`{name}`에는 수가 와야 한다. {ko}.")
    if not math.isfinite(number):
        raise _non_finite(name, number)
    if whole and not number.is_integer():
        raise NotYet(
            f"`{name}` should be a whole number, got {show(number, '.6g')}.",
            f"`{name}`에는 정수가 와야 한다. 받은 값: {show(number, '.6g')}.",
        )
    for bound, fails, en_word, ko_word in ((minimum, lambda b: number < b, "at least", "이상"),
                                           (maximum, lambda b: number > b, "at most", "이하")):
        if bound is not None and fails(bound):
            raise NotYet(
                f"`{name}` is {show(number, '.6g')}, but it should be {en_word} {show(bound, 'g')}.",
                f"`{name}`의 값이 {show(number, '.6g')}인데, {show(bound, 'g')} {attach(ko_word, '이어야/여야')} 한다.",
            )
    return number


def read_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return the learner's answer as a whole number (``int``), or raise :class:`NotYet`."""
    return int(read_number(name, value, whole=True, minimum=minimum, maximum=maximum))


def read_numbers(name: str, value: Any, *, length: int | None = None, shape: tuple[int, ...] | None = None,
                 whole: bool = False) -> np.ndarray:
    """Return the learner's numbers as a finite float64 array, or raise :class:`NotYet` saying why not.

    ``length`` asks for a 1-D sequence of that many numbers; ``shape`` for an exact shape.
    """
    array = as_numbers(value)
    if array is None:
        en, ko = _got(value)
        what_en = f"a list of {length} numbers" if length is not None else "numbers (a list, an array or a tensor)"
        what_ko = f"수 {length}개의 리스트" if length is not None else "수들(리스트, 배열 또는 텐서)"
        raise NotYet(f"`{name}` should be {what_en}, {en}.",
                     f"`{name}`에는 {attach(what_ko, '이/가')} 와야 한다. {ko}.")
    if length is not None and array.shape != (length,):
        count = array.size if array.ndim <= 1 else f"shape {_shape(array.shape)}"
        count_ko = f"{array.size}개" if array.ndim <= 1 else f"모양 {_shape(array.shape)}"
        raise NotYet(
            f"`{name}` should hold {length} numbers, one after another; it holds {count}.",
            f"`{name}`에는 수 {length}개가 한 줄로 와야 하는데, 받은 것은 {attach(count_ko, '이다/다')}.",
        )
    if shape is not None and array.shape != tuple(shape):
        raise NotYet(
            f"`{name}` should have shape {_shape(shape)}, but it has shape {_shape(array.shape)}.",
            f"`{name}`의 모양은 {attach(_shape(shape), '이어야/여야')} 하는데, "
            f"{attach(_shape(array.shape), '이다/다')}.",
        )
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        index = np.unravel_index(int(bad[0]), array.shape)
        where = ", ".join(str(int(i)) for i in index)
        raise _non_finite(name, float(array[index]), f"[{where}]", f"[{where}]")
    if whole and not np.all(array == np.round(array)):
        first = array.reshape(-1)[np.flatnonzero(array.reshape(-1) != np.round(array.reshape(-1)))[0]]
        raise NotYet(
            f"`{name}` should hold whole numbers; it holds {show(first, '.6g')}.",
            f"`{name}`에는 정수만 와야 하는데, {show(first, '.6g')}도 들어 있다.",
        )
    return array


def read_bool(name: str, value: Any) -> bool:
    """Return the learner's answer as True or False (also ``np.bool_`` and one-element bool tensors), or raise."""
    answer = as_bool(value)
    if answer is None:
        en, ko = _got(value)
        raise NotYet(f"`{name}` should be True or False, {en}.", f"`{name}`에는 True나 False가 와야 한다. {ko}.")
    return answer


def read_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return the learner's string answer, one of ``choices`` (case and surrounding blanks ignored), or raise."""
    if isinstance(value, str):
        for choice in choices:
            if value.strip().lower() == choice.lower():
                return choice
    options = " or ".join(f'"{c}"' for c in choices)
    options_ko = ", ".join(f'"{c}"' for c in choices)
    en, ko = _got(value)
    raise NotYet(f"`{name}` should be the string {options}, {en}.",
                 f"`{name}`에는 문자열 {options_ko} 가운데 하나가 와야 한다. {ko}.")


def read_tensor(name: str, value: Any, *, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """Return the learner's tensor detached, on the CPU, in float64 (the caller keeps ``value`` for its dtype).

    Raises :class:`NotYet` for a non-tensor, a meta tensor, the wrong shape, or NaN and inf.
    """
    if not isinstance(value, torch.Tensor):
        en, ko = _got(value)
        raise NotYet(f"`{name}` should be a torch tensor, {en}.", f"`{name}`에는 torch 텐서가 와야 한다. {ko}.")
    if value.is_meta:
        raise NotYet(
            f"`{name}` is a tensor on the meta device: it has a shape but no values. Compute it on the CPU.",
            f"{attach(f'`{name}`', '은/는')} meta 장치의 텐서라서 모양만 있고 값이 없다. CPU에서 계산하라.",
        )
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise NotYet(
            f"`{name}` has shape {_shape(value.shape)}, but it should have shape {_shape(shape)}.",
            f"`{name}`의 모양은 {_shape(value.shape)}인데, {attach(_shape(shape), '이어야/여야')} 한다.",
        )
    array = read_numbers(name, value)
    return torch.from_numpy(array)


def differs(got: Any, want: Any) -> float:
    """Return max |got − want| over all entries (inf where the shapes differ; NaN gives NaN, which fails ``<``)."""
    a, b = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def same_setting(a: float, b: float) -> bool:
    """Return True if two settings (a learning rate, a weight decay) are the same number: equal to float32
    precision, so that ``np.float32(0.1)`` is the setting 0.1."""
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=0.0)


def within(got: Any, want: Any, tol: float) -> bool:
    """Return True if every entry of ``got`` is within ``tol`` of ``want`` (NaN is never within)."""
    return differs(got, want) < tol


# ------------------------------------------------------------------------ the learner's code

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
_LIBRARY_ROOTS = tuple(
    {str(Path(p).resolve()) for p in (sysconfig.get_paths().get(k) for k in ("stdlib", "purelib", "platlib")) if p}
    | {str(Path(m.__file__).resolve().parent) for m in (np, torch)}
    | {_PACKAGE_ROOT}
)


def _is_learner_frame(filename: str) -> bool:
    if filename.startswith("<frozen") or filename == "<string>":
        return False
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return True
    return not path.startswith(_LIBRARY_ROOTS)


class _Clock:
    """The time the learner's code may still use in this check, and the alarm that stops it."""

    def __init__(self) -> None:
        self.remaining: float | None = None
        self.depth = 0
        self.started = 0.0
        self.armed = False
        self.previous_handler: Any = None

    def start(self, limit: float | None) -> None:
        self.remaining = limit
        self.depth = 0

    @staticmethod
    def available() -> bool:
        return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def _ring(self, signum: int, frame: Any) -> None:
        if self.depth:
            raise _TimeUp

    def enter(self) -> None:
        self.depth += 1
        if self.depth > 1:
            return
        self.started = time.monotonic()
        if self.remaining is None or not self.available():
            return
        if self.remaining <= 0:
            self.depth -= 1
            raise _TimeUp
        self.previous_handler = signal.signal(signal.SIGALRM, self._ring)
        signal.setitimer(signal.ITIMER_REAL, self.remaining)
        self.armed = True

    def leave(self) -> None:
        self.depth -= 1
        if self.depth:
            return
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous_handler)
            self.armed = False
        if self.remaining is not None:
            self.remaining -= time.monotonic() - self.started


_CLOCK = _Clock()


class _LearnerError(Exception):
    """An exception raised by the learner's code; ``feedback`` says so, with the learner's line."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_learner_frame(f.filename)]
        message = f"{type(error).__name__}: {error}".strip()
        if len(message) > 300:
            message = message[:297] + "..."
        if frames:
            line = (frames[-1].line or "").strip()
            where_en, where_ko = f" (line {frames[-1].lineno}: {line})", f" ({frames[-1].lineno}행: `{line}`)"
        else:
            where_en = where_ko = ""
        self.feedback = not_yet(
            f"Running your code raised {message}{where_en}.",
            f"여러분의 코드를 실행하다가 오류가 났다. `{message}`{where_ko}.",
        )


@contextlib.contextmanager
def learner_code() -> Iterator[None]:
    """Run the learner's code inside this block: its exceptions become a *not yet* message that quotes the
    learner's line, and its time counts against ``TIME_LIMIT_S``."""
    _CLOCK.enter()
    try:
        yield
    except (NotYet, _LearnerError):
        raise
    except Exception as error:
        if _CLOCK.depth > 1:
            raise
        raise _LearnerError(error) from error
    finally:
        _CLOCK.leave()


def call_learner(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return ``function(*args, **kwargs)`` run as the learner's code (see :func:`learner_code`)."""
    with learner_code():
        return function(*args, **kwargs)


class _AutogradUsed(BaseException):  # noqa: N818 - not an Exception: a learner's `except` must not swallow it
    pass


@contextlib.contextmanager
def forbid_autograd() -> Iterator[None]:
    """Make ``backward()``, ``torch.autograd.backward`` and ``torch.autograd.grad`` raise inside the block.

    :func:`autograd_used` then says whether the block tried; a check uses it to enforce "no autograd".
    """
    saved = torch.autograd.backward, torch.autograd.grad, torch.Tensor.backward

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise _AutogradUsed

    torch.autograd.backward = refuse
    torch.autograd.grad = refuse
    torch.Tensor.backward = refuse
    try:
        yield
    finally:
        torch.autograd.backward, torch.autograd.grad, torch.Tensor.backward = saved


def autograd_used(function: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """Return ``(True, None)`` if ``function(*args)`` calls autograd, else ``(False, result)``; run as the learner's."""
    try:
        with forbid_autograd(), learner_code():
            return False, function(*args)
    except _AutogradUsed:
        return True, None


@contextlib.contextmanager
def watch_calls(targets: dict[str, Callable[[Any], bool]]) -> Iterator[dict[str, int]]:
    """Count, inside the block, the calls of Python functions that match each predicate of ``targets``.

    Each predicate gets the code object of a called function (``code.co_name``, ``code.co_filename``)
    or, for a built-in function, the function itself. The yielded dict maps each target to its count.
    """
    counts = dict.fromkeys(targets, 0)
    previous = sys.getprofile()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            subject = frame.f_code
        elif event == "c_call":
            subject = arg
        else:
            return
        for key, matches in targets.items():
            try:
                hit = matches(subject)
            except Exception:  # a predicate that cannot read the subject does not match it
                hit = False
            if hit:
                counts[key] += 1

    sys.setprofile(profile)
    try:
        yield counts
    finally:
        sys.setprofile(previous)


# --------------------------------------------------------------------------------- exercises


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id ("02.2"), a check function, hints and a worked solution in both languages.

    ``check(*answers, **named)`` returns a :class:`Feedback` (or raises :class:`NotYet`). ``hints`` map
    a language to a list that goes from a nudge to the method; ``solution`` holds a complete cell that
    runs as pasted and ends with its ``check(...)`` line, then one or two paragraphs of why.
    ``reference`` returns the reference answers as ``(args, kwargs)`` for ``check``; the tests assert
    that it passes. ``task`` is the exercise's text in the notebook (English), where it is recorded.
    """

    id: str
    check: Callable[..., Feedback]
    hints: dict[str, list[str]]
    solution: dict[str, str]
    reference: Callable[[], tuple[tuple, dict]] = field(repr=False)
    task: str = ""


REGISTRY: dict[str, Exercise] = {}
_NEXT_HINT: dict[str, int] = {}


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


def _unknown(exercise_id: Any) -> tuple[str, str]:
    known = ", ".join(sorted(REGISTRY))
    name = repr(exercise_id) if isinstance(exercise_id, str) else describe(exercise_id)
    return (f"There is no exercise {name}. The exercises are: {known}.",
            f"연습문제 {attach(name, '은/는')} 없다. 있는 연습문제: {known}.")


def _get(exercise_id: Any) -> Exercise | None:
    if isinstance(exercise_id, str) and exercise_id in REGISTRY:
        return REGISTRY[exercise_id]
    en, ko = _unknown(exercise_id)
    print(ko if language() == "ko" else en)
    return None


def _is_unfinished_function(value: Any) -> bool:
    """Return True for a function whose body is still only ``...`` (after its docstring, if any)."""
    if not inspect.isfunction(value):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(value)))
    except (OSError, TypeError, SyntaxError):
        return False
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return bool(body) and all(isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                              and statement.value.value is Ellipsis for statement in body)


def _is_placeholder(value: Any) -> bool:
    return value is Ellipsis or _is_unfinished_function(value)


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


def time_limit() -> float | None:
    """Return the time limit, in seconds, for the learner's code in one check (``TIME_LIMIT_S``; None: none)."""
    return TIME_LIMIT_S


def _time_up(exercise_id: str) -> Feedback:
    limit = time_limit() or 0
    return not_yet(
        f"Your code ran for more than {limit:g} s, the time limit of a check, and was stopped. The worked "
        "solution needs a few seconds at most: look for a loop that never ends, or work repeated far more "
        "often than the task asks.",
        f"여러분의 코드가 채점 시간 제한 {limit:g}초를 넘겨서 중단되었다. 풀이는 길어야 몇 초면 끝난다. "
        "끝나지 않는 반복문이나, 문제가 요구하는 것보다 훨씬 많이 되풀이되는 계산이 없는지 찾아보라.",
    )


def _check_bug(exercise_id: str, error: BaseException) -> Feedback:
    message = f"{type(error).__name__}: {error}".strip()
    if len(message) > 300:
        message = message[:297] + "..."
    return Feedback(
        "check_error",
        f"The check itself failed ({message}). This is a bug in the check, not your answer. Please report it; "
        f'meanwhile compare your work with solution("{exercise_id}").',
        f"채점 코드 자체가 실패했다(`{message}`). 여러분의 답이 아니라 채점 코드의 버그다. 이 문제를 알려 주기 "
        f'바란다. 그동안은 풀이와 비교해 보라: solution("{exercise_id}").',
    )


def _wrong_count(exercise: Exercise, answers: tuple, named: dict) -> Feedback | None:
    signature = inspect.signature(exercise.check)
    try:
        signature.bind(*answers, **named)
    except TypeError:
        names = [p.name for p in signature.parameters.values()]
        listed = ", ".join(names)
        given = len(answers) + len(named)
        return not_yet(
            f'check("{exercise.id}", ...) takes {len(names)} answer{"s" if len(names) != 1 else ""} '
            f"({listed}); it got {given}. Keep the check line as the exercise cell wrote it.",
            f'check("{exercise.id}", ...)에는 답 {len(names)}개({listed})를 넘겨야 하는데, {given}개를 넘겼다. '
            "연습문제 셀에 쓰여 있던 check 줄을 그대로 두어라.",
        )
    return None


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    """Hide warnings and restore the random states, torch's default dtype and grad mode after the block."""
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    python_state, numpy_state = random.getstate(), np.random.get_state()  # noqa: NPY002 - the learner's legacy state
    try:
        with warnings.catch_warnings(), torch.random.fork_rng(devices=[]):
            warnings.simplefilter("ignore")
            yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
        random.setstate(python_state)
        np.random.set_state(numpy_state)  # noqa: NPY002


def evaluate(exercise_id: str, *answers: Any, **named: Any) -> Feedback:
    """Return the :class:`Feedback` for the learner's answers (``check`` prints it).

    Raises ValueError for an ``exercise_id`` that is not registered.
    """
    if not isinstance(exercise_id, str) or exercise_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"exercise_id must be one of the registered exercises ({known}); got {exercise_id!r}")
    exercise = REGISTRY[exercise_id]
    if any(_is_placeholder(a) for a in (*answers, *named.values())):
        return not_attempted(exercise_id)
    wrong = _wrong_count(exercise, answers, named)
    if wrong is not None:
        return wrong
    with _isolated():
        _CLOCK.start(time_limit())
        try:
            result = exercise.check(*answers, **named)
        except (NotYet, _LearnerError) as problem:
            result = problem.feedback
        except _TimeUp:
            result = _time_up(exercise_id)
        except Exception as error:
            result = _check_bug(exercise_id, error)
        finally:
            _CLOCK.start(None)
    if not isinstance(result, Feedback) or result.status not in STATUSES:
        return _check_bug(exercise_id, TypeError(f"the check returned {describe(result)}, not a Feedback"))
    return result


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
    heads = {
        "correct": ("correct.", "정답이다."),
        "not_yet": ("not yet.", "아직 아니다."),
        "check_error": ("could not be checked.", "확인하지 못했다."),
    }
    en, ko = heads[feedback.status]
    if lang == "ko":
        print(f"연습문제 {exercise_id}: {ko} {feedback.text(lang)}")
    else:
        print(f"Exercise {exercise_id}: {en} {feedback.text(lang)}")


def _hint_number_problem(exercise_id: str, number: Any, count: int) -> tuple[str, str] | None:
    is_whole = isinstance(number, int | np.integer) and not isinstance(number, bool | np.bool_)
    if is_whole and 1 <= int(number) <= count:
        return None
    got = describe(number)
    return (
        f'Exercise {exercise_id} has hints 1 to {count}: hint("{exercise_id}", k) needs a whole number k from 1 '
        f"to {count}; got {got}.",
        f'연습문제 {exercise_id}의 힌트는 1번부터 {count}번까지다. hint("{exercise_id}", k)의 k에는 '
        f"1부터 {count}까지의 정수가 와야 한다. 받은 값: {got}.",
    )


def hint(exercise_id: str, number: int | None = None) -> None:
    """Print the next hint of exercise ``exercise_id`` (one more on each call), or hint ``number`` (from 1).

    The hints go from a nudge to the method; ``solution`` shows the worked answer.
    """
    exercise = _get(exercise_id)
    if exercise is None:
        return
    lang = language()
    hints = exercise.hints[lang]
    count = len(hints)
    if number is None:
        index = _NEXT_HINT.get(exercise_id, 0)
        if index >= count:
            print(
                f'연습문제 {exercise_id}의 힌트 {count}개를 모두 보았다. 다시 보려면 hint("{exercise_id}", k), '
                f'풀이를 보려면 solution("{exercise_id}").'
                if lang == "ko" else
                f'You have seen all {count} hints of exercise {exercise_id}. To see one again: '
                f'hint("{exercise_id}", k); for a worked answer: solution("{exercise_id}").'
            )
            return
    else:
        problem = _hint_number_problem(exercise_id, number, count)
        if problem is not None:
            print(problem[1] if lang == "ko" else problem[0])
            return
        index = int(number) - 1
    _NEXT_HINT[exercise_id] = max(_NEXT_HINT.get(exercise_id, 0), index + 1)
    if lang == "ko":
        head = f"연습문제 {exercise_id} 힌트 {index + 1}/{count}:"
        tail = (f' (다음 힌트: hint("{exercise_id}"))' if index + 1 < count
                else f' (마지막 힌트다. 풀이: solution("{exercise_id}"))')
    else:
        head = f"Exercise {exercise_id}, hint {index + 1} of {count}:"
        tail = (f' (Next hint: hint("{exercise_id}").)' if index + 1 < count
                else f' (That was the last hint. A worked answer: solution("{exercise_id}").)')
    print(f"{head} {hints[index]}{tail}")


def solution(exercise_id: str) -> None:
    """Print the worked solution of exercise ``exercise_id``: a cell that runs as pasted, then why it works."""
    exercise = _get(exercise_id)
    if exercise is None:
        return
    print(exercise.solution[language()])
