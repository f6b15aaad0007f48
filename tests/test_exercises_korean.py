"""The Korean exercise feedback reads as Korean: particles chosen from the word they follow, one vocabulary
(the glossary's and the notebooks'), no English sentence parts, and every message, hint and solution in Korean.

The texts come from two places: every Korean string in the source of ``chapter5_utils/exercises``
(so that a message no test triggers is read too), and what the checks print for the typical answers
of every exercise's tests (so that the numbers and names put into a message are read too).
"""

import ast
import csv
import importlib
import re
from pathlib import Path

import pytest

from chapter5_utils import exercises
from chapter5_utils.exercises import core
from chapter5_utils.exercises.korean import attach, final_sound, particle

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chapter5_utils" / "exercises"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CASE_MODULES = [
    "test_exercises_linear_mlp",
    "test_exercises_activations_losses",
    "test_exercises_optimizers",
    "test_exercises_cross_validation",
    "test_exercises_model_parameters",
]

# Words the notebooks do not use for these ideas (the notebooks' word in the comment).
OTHER_WORDS = {
    "훈련": "학습",
    "걸음": "스텝",
    "네트워크": "신경망",
    "목표": "타깃",
    "벌점": "규제",
    "에폭": "에포크",
    "매개변수": "파라미터, or 인자 for a function's argument",
}
# Particle forms that a helper should have chosen.
UNCHOSEN = ["이(가)", "가(이)", "은(는)", "는(은)", "을(를)", "를(을)", "와(과)", "과(와)", "(으)로", "(이)라"]
# Latin words allowed in a Korean sentence: names of methods, functions, libraries, and code.
ALLOWED_LATIN = set("""
MSE MAE RMSE CV MLP XOR AND OR ReLU Leaky ELU tanh Adam AdamW SGD Momentum Nesterov RMSProp AdaGrad
Huber Xavier Kaiming Sherman Morrison LOOCV KFold LeaveOneOut LinearRegression CVResult History NumPy PyTorch
torch autograd CPU meta dtype float32 float64 bool True False None nan inf lr fit check hint solution forward
Parameter Sequential ChapterMLP Perceptron patience five decays scores train_cfg step init dropout
TimeSeriesSplit LambdaLR lam EPOCHS exp log max sum logsumexp backward softmax
""".split())


def _glossary_forbidden() -> dict[str, str]:
    forbidden = {}
    with open(ROOT / "translations" / "ko" / "glossary.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for word in (row.get("forbidden") or "").split(","):
                if word.strip():
                    forbidden[word.strip()] = row["korean"]
    return forbidden


def _source_texts() -> list[tuple[str, str]]:
    """Every Korean string constant in the exercises' source, with where it is (docstrings left out)."""
    texts = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "korean.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HANGUL.search(node.value) \
                    and id(node) not in docstrings:
                texts.append((f"{path.name}:{node.lineno}", node.value))
    return texts


def _printed_texts(capsys, monkeypatch) -> list[tuple[str, str]]:
    """What hint, solution and the messages about unknown ids and hint numbers print in Korean."""
    monkeypatch.setenv(core.LANGUAGE_VARIABLE, "ko")
    texts = []
    for exercise_id, exercise in exercises.REGISTRY.items():
        for k in range(1, len(exercise.hints["ko"]) + 2):
            exercises.hint(exercise_id)
            texts.append((f"hint {exercise_id} #{k}", capsys.readouterr().out))
        for number in (0, True, 2.5, len(exercise.hints["ko"]) + 1):
            exercises.hint(exercise_id, number)
            texts.append((f"hint {exercise_id}, {number!r}", capsys.readouterr().out))
        exercises.solution(exercise_id)
        texts.append((f"solution {exercise_id}", capsys.readouterr().out))
    for function in (exercises.check, exercises.hint, exercises.solution):
        function("99.9")
        texts.append((f"{function.__name__}('99.9')", capsys.readouterr().out))
    core._NEXT_HINT.clear()
    return texts


@pytest.fixture(scope="module")
def feedback_texts() -> list[tuple[str, str]]:
    """The Korean feedback of every typical answer in the exercises' tests."""
    texts = []
    for name in CASE_MODULES:
        module = importlib.import_module(name)
        for case in module.CASES:
            exercise_id, answers = case[0], case[1]()
            feedback = exercises.evaluate(exercise_id, *answers)
            texts.append((f"{name} {exercise_id} {case[2]!r}", feedback.ko))
    return texts


def _korean_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if HANGUL.search(line)]


# ----------------------------------------------------------------------------- the particle helper


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("0.927", "이다/다", "0.927이다"),
        ("(1.00, 2.00)", "이다/다", "(1.00, 2.00)이다"),
        ("0.5", "이다/다", "0.5다"),
        ("2", "이/가", "2가"),
        ("3", "이/가", "3이"),
        ("10", "은/는", "10은"),  # 십
        ("300", "을/를", "300을"),  # 삼백
        ("5,000", "과/와", "5,000과"),  # 오천
        ("2,111", "으로/로", "2,111로"),  # 일: ㄹ takes 로
        ("0.07", "으로/로", "0.07로"),  # 칠
        ("0.10", "으로/로", "0.10으로"),  # 영
        ("16", "이/가", "16이"),  # 육
        ("29", "이/가", "29가"),  # 구
        ("1e-10", "이다/다", "1e-10이다"),
        ("nan", "이다/다", "nan이다"),
        ("inf", "이다/다", "inf다"),
        ("`mistakes`", "은/는", "`mistakes`는"),
        ("`huber_line`", "이/가", "`huber_line`이"),
        ("`mse_model`", "이/가", "`mse_model`이"),
        ("MSE", "으로/로", "MSE로"),
        ("RMSE", "을/를", "RMSE를"),
        ("XOR", "을/를", "XOR를"),
        ("OR", "은/는", "OR는"),
        ("Adam", "과/와", "Adam과"),
        ("ReLU", "이/가", "ReLU가"),
        ("tanh", "을/를", "tanh를"),
        ("model", "으로/로", "model로"),
        ("η", "이/가", "η가"),
        ("학습률", "이다/다", "학습률이다"),
        ("스텝", "으로/로", "스텝으로"),
        ("모델", "으로/로", "모델로"),
        ("리스트", "이어야/여야", "리스트여야"),
        ("정수", "이어야/여야", "정수여야"),
        ("값", "이어야/여야", "값이어야"),
        ("역전파(backpropagation)", "이/가", "역전파(backpropagation)가"),
        ("수들(리스트, 배열 또는 텐서)", "이/가", "수들(리스트, 배열 또는 텐서)이"),
        ("이상", "이어야/여야", "이상이어야"),
        ("이하", "이어야/여야", "이하여야"),
    ],
)
def test_the_particle_follows_the_word(word, pair, expected):
    assert attach(word, pair) == expected


def test_particle_takes_either_order_and_the_bracketed_form():
    assert particle("10", "가/이") == particle("10", "이/가") == "이"
    assert particle("2", "(으)로") == "로" and particle("3", "(으)로") == "으로"


def test_particle_refuses_an_unknown_pair_and_final_sound_an_unreadable_end():
    with pytest.raises(ValueError, match="pair must be one of"):
        particle("3", "에/에서")
    assert final_sound("") is None and final_sound("…") is None
    with pytest.raises(TypeError, match="text must be a str"):
        final_sound(3)


# ----------------------------------------------------------------------------- the vocabulary


def _problems(where: str, text: str, forbidden: dict[str, str]) -> list[str]:
    problems = []
    for line in _korean_lines(text):
        for word, right in {**forbidden, **OTHER_WORDS}.items():
            if word in line:
                problems.append(f"{where}: {word!r} (write {right!r}): {line.strip()}")
        for form in UNCHOSEN:
            if form in line:
                problems.append(f"{where}: {form!r}, a particle not chosen from its word: {line.strip()}")
        if re.search(r"np\.(float|int|bool)\w*\(", line):
            problems.append(f"{where}: a NumPy repr: {line.strip()}")
        prose = re.sub(r"`[^`]*`", " ", line)
        prose = re.sub(r"(?<=[\uac00-\ud7a3])\([^()]*\)", " ", prose)  # a gloss: 모자 행렬(hat matrix)
        for token in re.findall(r"[^\s\uac00-\ud7a3]+", prose):
            if re.search(r"[\d_.(=\[\]{}/'\"<>:@*]", token):
                continue  # code, a number, a shape, a path
            for latin in re.findall(r"[A-Za-z]{2,}", token):
                if latin not in ALLOWED_LATIN:
                    problems.append(f"{where}: the English word {latin!r} in a Korean sentence: {line.strip()}")
    return problems


def test_the_source_uses_one_vocabulary():
    forbidden = _glossary_forbidden()
    problems = [p for where, text in _source_texts() for p in _problems(where, text, forbidden)]
    assert not problems, "\n".join(problems)


def test_hints_solutions_and_printed_messages_use_one_vocabulary(capsys, monkeypatch):
    forbidden = _glossary_forbidden()
    texts = _printed_texts(capsys, monkeypatch)
    problems = [p for where, text in texts for p in _problems(where, text, forbidden)]
    assert not problems, "\n".join(problems)
    for where, text in texts:
        assert HANGUL.search(text), f"{where} printed no Korean: {text!r}"


def test_the_feedback_of_every_typical_answer_uses_one_vocabulary(feedback_texts):
    forbidden = _glossary_forbidden()
    problems = [p for where, text in feedback_texts for p in _problems(where, text, forbidden)]
    assert not problems, "\n".join(problems)


def test_every_message_has_korean(feedback_texts):
    for where, text in feedback_texts:
        assert HANGUL.search(text), f"{where}: {text!r}"


# ----------------------------------------------------------------------------- particles in messages

# A value put into a Korean sentence is followed by a particle chosen by the helper, never by a fixed one.
PARTICLE_AFTER_VALUE = re.compile(
    r"\}`?(이다|다|이|가|은|는|을|를|과|와|으로|로|이고|고|이며|며|이면|면|이나|나|이라|라|여야|이어야)(?=[\s.,)(:;\"']|$)"
)


def test_no_fixed_particle_follows_a_value_in_the_source():
    problems = []
    for path in sorted(PACKAGE.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if HANGUL.search(line) and PARTICLE_AFTER_VALUE.search(line):
                problems.append(f"{path.name}:{number}: {line.strip()}")
    assert not problems, "use korean.attach for a particle after a value:\n" + "\n".join(problems)


NUMBER_THEN_PARTICLE = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(이다|다|이|가|은|는|을|를|과|와|으로|로)(?=[\s.,;:)]|$)"
)


def test_particles_after_numbers_in_the_feedback_are_right(feedback_texts, capsys, monkeypatch):
    texts = feedback_texts + _printed_texts(capsys, monkeypatch) + _source_texts()
    problems = []
    for where, text in texts:
        for match in NUMBER_THEN_PARTICLE.finditer(text):
            number, given = match.group(1), match.group(2)
            pair = next(p for p in ("이다/다", "이/가", "은/는", "을/를", "과/와", "으로/로") if given in p.split("/"))
            if particle(number, pair) != given:
                problems.append(f"{where}: {match.group(0)!r} should be {attach(number, pair)!r}")
    assert not problems, "\n".join(problems)


def test_korean_mode_has_no_english(capsys, monkeypatch):
    texts = _printed_texts(capsys, monkeypatch)
    for where, text in texts:
        if where.startswith(("hint", "check", "solution(")):
            assert not re.search(r"\b(There is no|has hints|You have seen|Exercise)\b", text), (where, text)


# Two more words the notebooks settled: a factor that multiplies is 배율 (03: "학습률에 곱할 배율"), and a
# function's argument 인자, so 인수, which can mean either, is not used; the starting weights are 초기 가중치.
NOTEBOOK_WORDS = {
    "인수": "배율 for a factor, 인자 for a function's argument",
    "처음 가중치": "초기 가중치",
}


def test_factor_and_initial_weights_are_the_notebooks_words(feedback_texts, capsys, monkeypatch):
    texts = _source_texts() + _printed_texts(capsys, monkeypatch) + feedback_texts
    problems = [f"{where}: {word!r} (write {right}): {line.strip()}"
                for where, text in texts for line in _korean_lines(text)
                for word, right in NOTEBOOK_WORDS.items() if word in line]
    assert not problems, "\n".join(problems)
    notebooks = "".join(path.read_text(encoding="utf-8")
                        for path in sorted((ROOT / "notebooks" / "ko").glob("*.ipynb")))
    assert "배율" in notebooks and "초기 가중치" in notebooks and "인수" not in notebooks
