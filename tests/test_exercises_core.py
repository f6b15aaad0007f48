"""The exercise registry and the layer every check shares: every reference answer passes its own check, every
exercise is reachable from its notebook, answers are read in the types a computation returns (NaN and inf
never pass), the learner's code runs under a time limit, a bug in a check is reported as the check's, no
warning reaches the learner, and hint gives one hint at a time."""

import json
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from chapter5_utils import exercises
from chapter5_utils.exercises import core

ROOT = Path(__file__).resolve().parent.parent
IDS = sorted(exercises.REGISTRY)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(params=["en", "ko"])
def lang(request, monkeypatch):
    monkeypatch.setenv(core.LANGUAGE_VARIABLE, request.param)
    return request.param


@pytest.fixture(autouse=True)
def fresh_hints():
    core._NEXT_HINT.clear()
    yield
    core._NEXT_HINT.clear()


@pytest.fixture
def temporary(monkeypatch):
    """Register exercises for one test only."""
    added = []

    def add(exercise_id, check):
        exercise = core.Exercise(exercise_id, check, {"en": ["h1", "h2"], "ko": ["힌트 1", "힌트 2"]},
                                 {"en": "s", "ko": "풀이"}, lambda: ((), {}))
        core.REGISTRY[exercise_id] = exercise
        added.append(exercise_id)
        return exercise

    yield add
    for exercise_id in added:
        del core.REGISTRY[exercise_id]


def test_every_notebook_has_registered_exercises():
    numbers = {i.split(".")[0] for i in IDS}
    assert numbers == {"01", "02", "03", "04", "05"}


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_reference_answer_is_correct(exercise_id):
    args, kwargs = exercises.REGISTRY[exercise_id].reference()
    feedback = exercises.evaluate(exercise_id, *args, **kwargs)
    assert feedback.status == "correct", feedback.en
    assert feedback.en and HANGUL.search(feedback.ko)


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_placeholder_is_not_attempted(exercise_id, lang, capsys):
    args, kwargs = exercises.REGISTRY[exercise_id].reference()
    args = tuple(... for _ in args)
    kwargs = {k: ... for k in kwargs}
    assert exercises.evaluate(exercise_id, *args, **kwargs).status == "not_attempted"
    exercises.check(exercise_id, *args, **kwargs)
    assert capsys.readouterr().out == exercises.not_attempted_message(exercise_id, lang) + "\n"


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_exercise_is_checked_in_its_notebook(exercise_id):
    number = exercise_id.split(".")[0]
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    sources = "".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
    assert f'check("{exercise_id}"' in sources


def test_register_refuses_duplicates_and_missing_translations():
    existing = exercises.REGISTRY[IDS[0]]
    with pytest.raises(ValueError, match="registered twice"):
        exercises.register(existing)
    with pytest.raises(ValueError, match="needs hints and a solution in 'ko'"):
        exercises.register(core.Exercise("00.1", existing.check, {"en": ["h"]}, {"en": "s"}, existing.reference))


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_solution_is_a_cell_that_ends_with_its_check(exercise_id):
    """A solution is its code, then why it works: the code (every line before the first Korean one) is the
    English solution's, and its last line is the exercise's check."""
    solution = exercises.REGISTRY[exercise_id].solution
    korean_lines = solution["ko"].splitlines()
    first_korean = next(i for i, line in enumerate(korean_lines) if HANGUL.search(line))
    code = korean_lines[:first_korean]
    assert len([line for line in code if line.strip()]) >= 2, "the solution starts with its code"
    assert solution["en"].splitlines()[: len(code)] == code
    last = [line for line in code if line.strip()][-1]
    assert last.startswith(f'check("{exercise_id}"'), last
    compile("\n".join(code), f"solution {exercise_id}", "exec")


# ----------------------------------------------------------------------------- reading answers


@pytest.mark.parametrize(
    "value",
    [3, 3.0, np.int64(3), np.float32(3), np.array(3.0), np.array([3.0]), torch.tensor(3), torch.tensor([3.0]),
     torch.tensor([[3.0]], dtype=torch.float64)],
)
def test_as_number_reads_scalars_zero_d_and_one_element_values(value):
    assert core.as_number(value) == 3.0
    assert core.read_number("x", value) == 3.0


@pytest.mark.parametrize(
    "value", [True, np.True_, torch.tensor(True), "3", None, [3.0], torch.zeros(2), np.zeros(2), 1 + 2j,
              torch.zeros(1, device="meta")],
)
def test_as_number_refuses_what_is_not_one_real_number(value):
    assert core.as_number(value) is None
    with pytest.raises(core.NotYet):
        core.read_number("x", value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -np.inf, np.float32("nan"), torch.tensor(float("nan"))])
def test_read_number_never_passes_nan_or_inf(value):
    with pytest.raises(core.NotYet, match="not finite never passes") as caught:
        core.read_number("x", value)
    assert HANGUL.search(caught.value.feedback.ko)


@pytest.mark.parametrize(
    "value", [[1, 2.0, 3], (1, 2, 3), np.array([1, 2, 3]), torch.tensor([1.0, 2.0, 3.0]), range(1, 4),
              [np.int64(1), torch.tensor(2), np.array(3.0)]],
)
def test_read_numbers_reads_sequences_arrays_and_tensors(value):
    assert core.read_numbers("x", value, length=3).tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("value", "message"),
    [([1, float("nan"), 3], r"`x\[1\]` is nan"), ([1, 2], "should hold 3 numbers"), ("123", "should be a list"),
     ([1, "2", 3], "should be a list"), (torch.tensor([True, False, True]), "should be a list"),
     (torch.zeros(3, device="meta"), "should be a list")],
)
def test_read_numbers_refuses_with_a_message(value, message):
    with pytest.raises(core.NotYet, match=message):
        core.read_numbers("x", value, length=3)


@pytest.mark.parametrize("value", [True, np.True_, torch.tensor(True), np.array(True), torch.tensor([True])])
def test_read_bool_reads_every_kind_of_bool(value):
    assert core.read_bool("x", value) is True


@pytest.mark.parametrize("value", [1, 0, "True", None, torch.tensor([True, False])])
def test_read_bool_refuses_numbers_and_strings(value):
    with pytest.raises(core.NotYet, match="should be True or False"):
        core.read_bool("x", value)


def test_precision_follows_the_dtype():
    assert core.precision(torch.zeros(2)) == pytest.approx(1.19e-7, rel=0.01)
    assert core.precision(np.zeros(2, dtype=np.float32)) == pytest.approx(1.19e-7, rel=0.01)
    assert core.precision(1.0) == core.precision(torch.zeros(2, dtype=torch.float64)) < 1e-15
    assert core.precision([torch.zeros(1, dtype=torch.float64), torch.zeros(1)]) > 1e-8


def test_describe_prints_plain_numbers_never_numpy_reprs():
    for lang in ("en", "ko"):
        for value in (np.float64(0.0), np.int64(3), np.bool_(True), np.array([1.0, 2.0])):
            assert "np." not in core.describe(value, lang)
    assert core.describe(np.float64(0.0)) == "0"
    assert "tensor of shape (3,)" in core.describe(torch.zeros(3))


def test_describe_counts_articles_and_sizes_in_good_english():
    assert core.describe([0.1]) == "a list of 1 item"
    assert core.describe((1, 2)) == "a tuple of 2 items"
    assert core.describe({"1e-2": 1, "1e-1": 2}) == "a dict with 2 keys ('1e-2', '1e-1')"  # names the keys
    assert core.describe({"W1": 0}) == "a dict with 1 key ('W1')"
    assert core.describe({}) == "an empty dict"
    assert core.describe(torch.nn.Linear(1, 2)) == "an nn.Linear(1, 2) module"  # its sizes, not only its class
    assert core.describe(torch.nn.Tanh()) == "a Tanh module"

    class AdamW:
        pass

    assert core.describe(AdamW()) == "an AdamW object"
    for value in ([0.1], {"W1": 0}, {}, torch.nn.Linear(1, 2), AdamW()):
        assert HANGUL.search(core.describe(value, "ko"))


def test_differs_makes_nan_fail_every_tolerance():
    assert not core.differs([1.0, float("nan")], [1.0, 2.0]) < 1e9
    assert not core.within([1.0], [1.0, 2.0], 1e9)
    assert core.within([1.0, 2.0], [1.0, 2.0 + 1e-12], 1e-9)


# ----------------------------------------------------------------------------- language


@pytest.mark.parametrize("value", ["ko", "KO", "ko_KR", "ko-KR", " ko ", "ko_KR.UTF-8"])
def test_every_spelling_of_korean_selects_korean(value, monkeypatch):
    monkeypatch.setenv(core.LANGUAGE_VARIABLE, value)
    assert core.language() == "ko"


@pytest.mark.parametrize("value", ["en", "", "kor", "english", "fr"])
def test_other_values_select_english(value, monkeypatch):
    monkeypatch.setenv(core.LANGUAGE_VARIABLE, value)
    assert core.language() == "en"


# ----------------------------------------------------------------------------- unknown ids, wrong counts


def test_evaluate_refuses_an_unknown_id_with_a_clear_message():
    with pytest.raises(ValueError, match=r"exercise_id must be one of .*01\.1.*got '99\.9'"):
        exercises.evaluate("99.9", 1)


def test_unknown_ids_and_hint_numbers_get_a_message_in_each_language(lang, capsys):
    exercises.check("99.9", 1)
    exercises.hint(IDS[0], 99)
    exercises.hint(IDS[0], True)
    exercises.solution(7)
    out = capsys.readouterr().out
    if lang == "en":
        assert "There is no exercise '99.9'" in out and "has hints 1 to" in out and "got True" in out
    else:
        assert "연습문제 '99.9'는 없다" in out and "받은 값: True" in out and "There is" not in out
        assert "연습문제 7은 없다" in out


def test_the_wrong_number_of_answers_is_the_learners_not_the_checks():
    feedback = exercises.evaluate("01.1", {0.5: [0] * 12})
    assert feedback.status == "not_yet"
    assert 'check("01.1", ...) takes 2 answers (mistakes, different); it got 1' in feedback.en


# ----------------------------------------------------------------------------- the learner's code


def test_an_error_in_the_learners_code_quotes_the_learners_line(temporary):
    def learner(x):
        return x / 0  # the learner's line

    def check(function):
        with core.learner_code():
            function(1)
        return core.correct("ok", "맞다")

    temporary("00.0", check)
    feedback = exercises.evaluate("00.0", learner)
    assert feedback.status == "not_yet"
    assert "ZeroDivisionError: division by zero" in feedback.en and "return x / 0" in feedback.en
    assert "여러분의 코드를 실행하다가 오류가 났다" in feedback.ko


def test_an_error_in_the_check_is_reported_as_the_checks(temporary):
    def check(answer):
        return {}["missing"]

    temporary("00.0", check)
    feedback = exercises.evaluate("00.0", 1)
    assert feedback.status == "check_error"
    assert "bug in the check, not your answer" in feedback.en and "KeyError" in feedback.en
    assert "채점 코드의 버그" in feedback.ko


def test_a_check_that_returns_no_feedback_is_a_check_error(temporary):
    temporary("00.0", lambda answer: None)
    assert exercises.evaluate("00.0", 1).status == "check_error"


def test_the_time_limit_stops_an_answer_that_sleeps(temporary, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)

    def check(function):
        with core.learner_code():
            function()
        return core.correct("ok", "맞다")

    temporary("00.0", check)
    start = time.monotonic()
    feedback = exercises.evaluate("00.0", lambda: time.sleep(30))
    assert time.monotonic() - start < 3
    assert feedback.status == "not_yet" and "more than 1 s, the time limit" in feedback.en
    assert "시간 제한 1초" in feedback.ko


def test_the_time_limit_cannot_be_caught_by_the_learner(temporary, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.5)

    def stubborn():
        for _ in range(60):
            try:
                time.sleep(0.5)
            except Exception:  # noqa: BLE001 - what a learner might write
                pass

    def check(function):
        with core.learner_code():
            function()
        return core.correct("ok", "맞다")

    temporary("00.0", check)
    start = time.monotonic()
    assert "time limit" in exercises.evaluate("00.0", stubborn).en
    assert time.monotonic() - start < 3


def test_the_time_limit_counts_only_the_learners_code(temporary, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.5)

    def check(function):
        time.sleep(0.7)  # the check's own work
        with core.learner_code():
            function()
        return core.correct("ok", "맞다")

    temporary("00.0", check)
    assert exercises.evaluate("00.0", lambda: time.sleep(0.1)).status == "correct"


def test_no_warning_from_a_check_reaches_the_learner(temporary):
    def check(answer):
        warnings.warn("inside the check", UserWarning, stacklevel=1)
        torch.tensor([1.0]).reshape(1, 1).squeeze(1)
        return core.correct("ok", "맞다")

    temporary("00.0", check)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert exercises.evaluate("00.0", 1).status == "correct"
    assert caught == []


def test_a_check_leaves_the_learners_random_state_and_dtype_alone(temporary):
    def check(answer):
        torch.manual_seed(123)
        np.random.seed(5)  # noqa: NPY002 - the legacy global state a learner's code may use
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        return core.correct("ok", "맞다")

    temporary("00.0", check)
    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002
    expected_torch, expected_numpy = torch.rand(1), np.random.rand()  # noqa: NPY002
    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002
    exercises.evaluate("00.0", 1)
    assert torch.rand(1) == expected_torch and np.random.rand() == expected_numpy  # noqa: NPY002
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()


def test_autograd_is_detected_even_when_the_learner_catches_errors():
    def sneaky(x):
        try:
            x.requires_grad_(True)
            (x**2).sum().backward()
        except Exception:  # noqa: BLE001 - what a learner might write
            pass
        return x

    backward = torch.autograd.backward
    used, _ = core.autograd_used(sneaky, torch.ones(2))
    assert used and torch.autograd.backward is backward  # restored afterwards
    used, result = core.autograd_used(lambda x: x * 2, torch.ones(2))
    assert not used and result.tolist() == [2.0, 2.0]


def test_watch_calls_counts_calls_and_stops_watching():
    with core.watch_calls({"inv": lambda code: getattr(code, "co_name", "") == "inv"}) as counts:
        for _ in range(3):
            np.linalg.inv(np.eye(2))
    np.linalg.inv(np.eye(2))
    assert counts["inv"] == 3


# ----------------------------------------------------------------------------- the hint ladder


def test_hint_gives_the_next_hint_on_each_call(lang, capsys):
    exercise_id = "01.1"
    hints = exercises.REGISTRY[exercise_id].hints[lang]
    for k, text in enumerate(hints, start=1):
        exercises.hint(exercise_id)
        out = capsys.readouterr().out
        assert text in out and out.count("\n") == 1
        assert (f"hint {k} of {len(hints)}" if lang == "en" else f"힌트 {k}/{len(hints)}") in out
        for other in hints:
            if other != text:
                assert other not in out
    exercises.hint(exercise_id)
    out = capsys.readouterr().out
    assert (f"all {len(hints)} hints" if lang == "en" else f"힌트 {len(hints)}개를 모두 보았다") in out


def test_hint_k_gives_hint_k_and_refuses_bools_and_floats(capsys):
    hints = exercises.REGISTRY["02.1"].hints["en"]
    exercises.hint("02.1", 2)
    assert hints[1] in capsys.readouterr().out
    exercises.hint("02.1", np.int64(1))
    assert hints[0] in capsys.readouterr().out
    for bad in (True, False, 1.0, "1", 0, len(hints) + 1):
        exercises.hint("02.1", bad)
        out = capsys.readouterr().out
        assert "has hints 1 to" in out and hints[0] not in out


@pytest.mark.parametrize("exercise_id", IDS)
def test_no_hint_gives_the_whole_solution_code(exercise_id):
    exercise = exercises.REGISTRY[exercise_id]
    for lang in ("en", "ko"):
        code = [line.strip() for line in exercise.solution[lang].split("\n\n")[0].splitlines() if line.strip()]
        assert len(exercise.hints[lang]) >= 2, "a ladder has at least two rungs"
        for text in exercise.hints[lang]:
            assert sum(line in text for line in code if len(line) > 25) <= 1, text


def _unfinished(a, b):
    """A docstring does not count."""
    # a comment does not count either
    ...


def _started(a, b):
    print(a + b)
    ...


def test_a_function_whose_body_is_still_the_placeholder_is_not_attempted():
    assert core._is_unfinished_function(_unfinished)
    assert not core._is_unfinished_function(_started)
    assert not core._is_unfinished_function(lambda: ...)
    assert exercises.evaluate("05.5", _unfinished, _unfinished).status == "not_attempted"
    assert exercises.evaluate("04.4", _unfinished).status == "not_attempted"
