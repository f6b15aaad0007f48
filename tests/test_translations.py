"""The Korean edition (notebooks/ko/) is complete, current, and differs from the English notebooks
only in its prose: every markdown cell translated (none fuzzy), the committed Korean notebooks what
`make translations` builds now, code and outputs equal to the English ones except the set-up cell and
the exercises' "not attempted" lines, markup kept, and every glossary term translated one way."""

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog, Message

from chapter5_utils import colab
from chapter5_utils.exercises import not_attempted_message

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import translate  # noqa: E402

NOTEBOOKS = sorted(translate.NOTEBOOK_DIR.glob("*.ipynb"))
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TERMS = translate.read_glossary()


def _catalogue(path: Path):
    return translate.read_catalogue(translate.CATALOGUE_DIR / f"{path.stem}.po")


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _entries(catalog) -> list:
    """What a catalogue says, whatever the Babel version that wrote it."""
    messages = [(m.id, m.string, sorted(m.flags - {"python-format", "python-brace-format"}), m.locations,
                 m.previous_id, m.user_comments) for m in catalog if m.id]
    # An obsolete entry's key is its msgid, or (msgid, msgctxt) where it has a context: repr orders both.
    obsolete = sorted((repr(key), message.string) for key, message in catalog.obsolete.items())
    return [messages, obsolete]


def test_every_notebook_has_a_catalogue_and_a_korean_edition():
    names = [p.name for p in NOTEBOOKS]
    assert sorted(p.name for p in translate.OUT_DIR.glob("*.ipynb")) == names, "run `make translations`"
    assert sorted(p.stem for p in translate.CATALOGUE_DIR.glob("*.po")) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_markdown_cell_is_translated_and_follows_the_glossary(path):
    problems = translate.catalogue_problems(path, _catalogue(path), TERMS)
    assert not problems, "translate these in translations/ko/, then `make translations`:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_catalogue_is_what_update_writes_now(path):
    catalogue = translate.CATALOGUE_DIR / f"{path.stem}.po"
    fresh = translate.updated_catalogue(path, catalogue)
    assert _entries(fresh) == _entries(translate.read_catalogue(catalogue)), "run `make translations`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_korean_notebook_is_what_build_makes_now(path):
    built = translate.notebook_text(translate.build_notebook(path, _catalogue(path)))
    committed = (translate.OUT_DIR / path.name).read_text(encoding="utf-8")
    assert committed == built, "run `make translations`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_korean_notebook_has_the_english_code_and_outputs(path):
    """Checked on the committed files themselves, not through the tool: cell for cell, only the
    markdown, the set-up cell and the exercises' "not attempted" lines may differ."""
    english = json.loads(path.read_text(encoding="utf-8"))
    korean = json.loads((translate.OUT_DIR / path.name).read_text(encoding="utf-8"))
    assert korean["metadata"] == english["metadata"]
    assert [c["cell_type"] for c in korean["cells"]] == [c["cell_type"] for c in english["cells"]]
    for index, (en, ko) in enumerate(zip(english["cells"], korean["cells"])):
        if en["cell_type"] == "markdown":
            assert ko["metadata"] == en["metadata"]
            continue
        if index == 1:
            assert (_source(en), _source(ko)) == (colab.SETUP_CELL, colab.SETUP_CELL_KO)
            assert ko["outputs"] == en["outputs"] == []
            continue
        # A figure's alt text is the one piece of a code cell's metadata in Korean.
        assert {k: v for k, v in ko["metadata"].items() if k != "alt"} == {
            k: v for k, v in en["metadata"].items() if k != "alt"}
        assert ("alt" in ko["metadata"]) == ("alt" in en["metadata"]), f"cell {index + 1}"
        if "alt" in en["metadata"]:
            assert HANGUL.search(ko["metadata"]["alt"]), f"cell {index + 1}: the Korean alt text is not translated"
        # The exercise cells' comments are in Korean; their code is the English code, byte for byte.
        skip = {"outputs", "metadata", "source"}
        assert {k: v for k, v in ko.items() if k not in skip} == {k: v for k, v in en.items() if k not in skip}
        if _source(ko) != _source(en):
            assert index in translate.exercise_cells(english), f"cell {index + 1}: only exercise comments differ"
            assert translate.without_comments(_source(ko)) == translate.without_comments(_source(en)), (
                f"cell {index + 1}: the Korean cell's code differs from the English beyond its comments")
        assert len(ko["outputs"]) == len(en["outputs"]), f"cell {index + 1}"
        if ko["outputs"] == en["outputs"]:
            continue
        # An exercise check: its printed line (maybe stored as line + newline) is the Korean one.
        for out_en, out_ko in zip(en["outputs"], ko["outputs"]):
            assert out_en["output_type"] == out_ko["output_type"] == "stream", f"cell {index + 1} differs"
            assert {k: v for k, v in out_ko.items() if k != "text"} == {k: v for k, v in out_en.items() if k != "text"}
        text = "".join("".join(o["text"]) for o in en["outputs"])
        exercise_id = text.split(":")[0].removeprefix("Exercise ")
        assert text == not_attempted_message(exercise_id, "en") + "\n", f"cell {index + 1} differs"
        assert "".join("".join(o["text"]) for o in ko["outputs"]) == not_attempted_message(exercise_id, "ko") + "\n"


def test_the_glossary_gives_each_english_term_one_korean_term():
    english = [t.english for t in TERMS]
    assert len(english) == len(set(english)), "a term is listed twice"
    forbidden = {variant for term in TERMS for variant in term.forbidden}
    for term in TERMS:
        clashes = [variant for variant in forbidden if variant in term.korean]
        assert not clashes, f"{term.english}: its Korean term {term.korean!r} contains a forbidden variant {clashes}"


# The tool itself, on a small notebook in a temporary folder.


def _notebook(*markdown: str, exercise_output: str | list[str] = "Exercise 99.1: alone\n") -> nbformat.NotebookNode:
    title = f"# 99 · Test (시험)\n\n{colab.badge('99_test.ipynb')}\n\nText."
    cells = [nbformat.v4.new_markdown_cell(title), nbformat.v4.new_code_cell(colab.SETUP_CELL)]
    cells += [nbformat.v4.new_markdown_cell(m) for m in markdown]
    check = nbformat.v4.new_code_cell('check("99.1", ...)', execution_count=2)
    texts = [exercise_output] if isinstance(exercise_output, str) else exercise_output
    check.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text) for text in texts]
    nb = nbformat.v4.new_notebook(cells=[*cells, check])
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "po").mkdir()
    shutil.copy(translate.GLOSSARY, tmp_path / "po" / "glossary.tsv")
    return tmp_path


def _run(workspace, command: str) -> int:
    return translate.main([command, "--notebooks", str(workspace), "--catalogues", str(workspace / "po")])


def _translate(po: Path, translations: dict[str, str]) -> None:
    catalog = translate.read_catalogue(po)
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    po.write_text(translate.catalogue_text(catalog), encoding="utf-8")


def test_update_build_check_round_trip(workspace, capsys):
    nb_path = workspace / "99_test.ipynb"
    nbformat.write(_notebook("## Weights (가중치)\n\nThe weights of a perceptron."), nb_path)
    assert _run(workspace, "update") == 0
    po = workspace / "po" / "99_test.po"
    text = po.read_text(encoding="utf-8")
    assert "{colab_badge}" in text and "colab.research.google.com" not in text, "the badge stays out"
    assert "POT-Creation-Date" not in text and "Generated-By" not in text
    assert _run(workspace, "update") == 0 and po.read_text(encoding="utf-8") == text, "update is repeatable"
    assert _run(workspace, "check") == 1 and "untranslated" in capsys.readouterr().out

    _translate(po, {
        "# 99 · Test (시험)\n\n{colab_badge}\n\nText.": "# 99 · 시험(test)\n\n{colab_badge}\n\n본문.",
        "## Weights (가중치)\n\nThe weights of a perceptron.": "## 가중치(weights)\n\n퍼셉트론의 가중치.",
    })
    assert _run(workspace, "check") == 0
    assert _run(workspace, "build") == 0
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    assert built.cells[0].source == f"# 99 · 시험(test)\n\n{colab.badge('99_test.ipynb', lang='ko')}\n\n본문."
    assert built.cells[1].source == colab.SETUP_CELL_KO
    assert built.cells[2].source == "## 가중치(weights)\n\n퍼셉트론의 가중치."
    first = (workspace / "ko" / "99_test.ipynb").read_text(encoding="utf-8")
    assert _run(workspace, "build") == 0
    assert (workspace / "ko" / "99_test.ipynb").read_text(encoding="utf-8") == first, "build is repeatable"


def test_a_figure_alt_text_is_translated_through_the_catalogue(workspace, capsys):
    nb = _notebook("## Weights (가중치)")
    figure = nbformat.v4.new_code_cell("plt.plot([0, 1])", execution_count=3)
    figure.pop("id", None)
    figure.metadata["alt"] = "A straight line rising from 0 to 1."
    nb.cells.append(figure)
    nbformat.write(nb, workspace / "99_test.ipynb")
    assert _run(workspace, "update") == 0
    po = workspace / "po" / "99_test.po"
    catalog = translate.read_catalogue(po)
    assert catalog.get("A straight line rising from 0 to 1.", context="alt") is not None
    _translate(po, {
        "# 99 · Test (시험)\n\n{colab_badge}\n\nText.": "# 99 · 시험(test)\n\n{colab_badge}\n\n본문.",
        "## Weights (가중치)": "## 가중치(weights)",
    })
    capsys.readouterr()
    assert _run(workspace, "check") == 1 and "alt text 5" in capsys.readouterr().out, "an untranslated alt text"
    assert _run(workspace, "build") == 0
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    assert built.cells[-1].metadata["alt"] == "A straight line rising from 0 to 1.", "English until translated"
    _translate(po, {"A straight line rising from 0 to 1.": "0에서 1로 오르는 직선."})
    assert _run(workspace, "check") == 0
    assert _run(workspace, "build") == 0
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    assert built.cells[-1].metadata["alt"] == "0에서 1로 오르는 직선."
    assert built.cells[-1].source == "plt.plot([0, 1])"


def test_exercise_comments_are_translated_and_the_code_is_kept(workspace, capsys):
    nb = _notebook("## Exercises (연습문제)")
    nb.cells[-1].source = 'answer = ...  # your answer (an int)\n# your code here\ncheck("99.1", answer)  # "#" in code'
    nbformat.write(nb, workspace / "99_test.ipynb")
    assert _run(workspace, "update") == 0
    po = workspace / "po" / "99_test.po"
    catalog = translate.read_catalogue(po)
    comments = {m.id for m in catalog if m.context == "comment"}
    assert comments == {"your answer (an int)", "your code here", '"#" in code'}
    _translate(po, {
        "# 99 · Test (시험)\n\n{colab_badge}\n\nText.": "# 99 · 시험(test)\n\n{colab_badge}\n\n본문.",
        "## Exercises (연습문제)": "## 연습문제(exercises)",
        "your answer (an int)": "답 (int 하나)",
        "your code here": "여기에 코드를 쓴다",
    })
    capsys.readouterr()
    assert _run(workspace, "check") == 1 and "comment in cell 4" in capsys.readouterr().out
    _translate(po, {'"#" in code': '코드 속의 "#"'})
    assert _run(workspace, "check") == 0 and _run(workspace, "build") == 0
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    want = 'answer = ...  # 답 (int 하나)\n# 여기에 코드를 쓴다\ncheck("99.1", answer)  # 코드 속의 "#"'
    assert built.cells[-1].source == want
    assert translate.without_comments(built.cells[-1].source) == translate.without_comments(nb.cells[-1].source)
    assert translate.without_comments("x = 1  # a") != translate.without_comments("x = 2  # a"), "code differs"


def test_a_changed_english_sentence_makes_its_translation_fuzzy(workspace, capsys):
    nb_path = workspace / "99_test.ipynb"
    old = "## Weights (가중치)\n\nThe weights of a perceptron are learned from the data, one step at a time."
    nbformat.write(_notebook(old, "A cell that goes away."), nb_path)
    _run(workspace, "update")
    po = workspace / "po" / "99_test.po"
    _translate(po, {old: "## 가중치(weights)\n\n퍼셉트론의 가중치는 데이터에서 한 단계씩 학습된다."})

    new = old.replace("one step at a time", "one small step at a time")
    nbformat.write(_notebook(new), nb_path)
    _run(workspace, "update")
    text = po.read_text(encoding="utf-8")
    _run(workspace, "update")
    assert po.read_text(encoding="utf-8") == text, "a second update changes nothing"
    catalog = translate.read_catalogue(po)
    assert catalog.get(new).fuzzy and catalog.get(new).string.endswith("한 단계씩 학습된다.")
    assert list(catalog.obsolete) == ["A cell that goes away."]
    capsys.readouterr()
    assert _run(workspace, "check") == 1
    assert "fuzzy" in capsys.readouterr().out
    _run(workspace, "build")
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    assert built.cells[2].source == new, "a fuzzy translation is not used: the English shows instead"
    translate.main(["update", "--prune", "--notebooks", str(workspace), "--catalogues", str(workspace / "po")])
    assert not translate.read_catalogue(po).obsolete


def test_entries_read_obsolete_entries_with_and_without_a_context():
    catalog = Catalog(locale="ko")
    catalog.obsolete["A cell that goes away."] = Message("A cell that goes away.", "사라지는 셀.")
    catalog.obsolete[("# a comment", "comment")] = Message("# a comment", "# 주석", context="comment")
    want = [("'A cell that goes away.'", "사라지는 셀."), ("('# a comment', 'comment')", "# 주석")]
    assert _entries(catalog)[1] == want


def test_build_puts_in_the_korean_not_attempted_line(workspace):
    english = not_attempted_message("02.1", "en") + "\n"
    nbformat.write(_notebook(exercise_output=english), workspace / "99_test.ipynb")
    _run(workspace, "update")
    _run(workspace, "build")
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    assert built.cells[-1].outputs[0].text == not_attempted_message("02.1", "ko") + "\n"
    nbformat.write(_notebook(exercise_output=[english[:-1], "\n"]), workspace / "99_test.ipynb")
    _run(workspace, "build")
    built = nbformat.read(workspace / "ko" / "99_test.ipynb", as_version=4)
    assert [o.text for o in built.cells[-1].outputs] == [not_attempted_message("02.1", "ko"), "\n"]
    assert translate.korean_exercise_output("Exercise 99.1: left alone\n") is None
    assert translate.korean_exercise_output(english + "more\n") is None


def test_build_refuses_an_outdated_setup_cell(workspace):
    nb = _notebook()
    nb.cells[1].source = "# an outdated set-up cell"
    nbformat.write(nb, workspace / "99_test.ipynb")
    _run(workspace, "update")
    with pytest.raises(ValueError, match="is not colab.SETUP_CELL"):
        _run(workspace, "build")


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("The learning rate.", "학습률.", []),
        ("The learning rate.", "학습율.", ["'learning rate' is '학습률' in the glossary, which the translation lacks",
                                           "'학습율' is not used: the glossary says '학습률'"]),
        ("Gradient descent follows the gradient.", "경사 하강법은 기울기를 따라간다.", []),
        ("Gradient descent.", "경사 하강법.", []),  # "gradient" inside "gradient descent" is not a second term
        ("Call `weight.grad`.", "`weight.grad`를 부른다.", []),  # code is not prose
        ("Adam and SGD.", "Adam과 SGD.", []),
        ("Adam and SGD.", "아담과 SGD.", ["'Adam' is 'Adam' in the glossary, which the translation lacks",
                                          "'아담' is not used: the glossary says 'Adam'"]),
    ],
)
def test_glossary_problems(msgid, msgstr, expected):
    assert translate.glossary_problems(msgid, msgstr, TERMS) == expected


def test_a_glossary_ok_comment_allows_another_word():
    assert translate.glossary_problems("One weight.", "하나.", TERMS, {"weight"}) == []


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        ("## 제목(title)\n\n`x` $a^2$ [링크](https://e.org)", []),
        ("## 제목\n\n`y` $a^2$ [링크](https://e.org)", ["keep '`x`' as it is"]),
        ("## 제목\n\n`x` $a$ [링크](https://e.org)", ["keep '$a^2$' as it is"]),
        ("### 제목\n\n`x` $a^2$ [링크](https://e.org)", ["headings ['##'] became ['###']"]),
        ("## 제목\n\n`x` $a^2$ [링크](https://e.com)", ["keep 'https://e.org' as it is"]),
    ],
)
def test_markup_problems(msgstr, expected):
    assert translate.markup_problems("## Title\n\n`x` $a^2$ [link](https://e.org)", msgstr) == expected


def test_pytest_does_not_rerun_the_korean_notebooks(root):
    import tomllib

    options = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "notebooks/ko" in options["norecursedirs"]
