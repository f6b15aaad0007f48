"""Every committed notebook is the product of one clean top-to-bottom run and follows the series' shape."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = [
    "01_linear_regression_and_mlp.ipynb",
    "02_activation_and_loss_functions.ipynb",
    "03_optimizers.ipynb",
    "04_cross_validation.ipynb",
    "05_model_parameters.ipynb",
]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_the_series_has_its_five_notebooks():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_execution_counts_are_one_to_n(path):
    counts = [c["execution_count"] for c in _code_cells(_load(path))]
    assert counts == list(range(1, len(counts) + 1)), "re-run it top to bottom with `make outputs`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_errors_warnings_addresses_or_timing_metadata(path):
    for i, cell in enumerate(_code_cells(_load(path))):
        assert "execution" not in cell["metadata"], f"cell {i} keeps timing metadata"
        assert "id" not in cell, f"cell {i} has a random cell id"
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"cell {i} stores an error: {out.get('ename')}"
            text = _text(out.get("text", "")) + _text(out.get("data", {}).get("text/plain", ""))
            if out.get("name") == "stderr":
                assert "Warning" not in text, f"cell {i} stores a warning: {text[:200]}"
            assert not re.search(r" at 0x[0-9a-f]{6,}", text), f"cell {i} stores a memory address"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_shape_title_headings_summary_exercises(path):
    nb = _load(path)
    cells = nb["cells"]
    title = _text(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and title.startswith(f"# {path.name[:2]} · ")
    assert HANGUL.search(title.splitlines()[0]), "the title carries the notes' Korean term"
    headings = [
        line
        for c in cells
        if c["cell_type"] == "markdown"
        for line in _text(c["source"]).splitlines()
        if re.match(r"#{1,3} ", line)
    ]
    missing = [h for h in headings if not HANGUL.search(h)]
    assert not missing, f"headings without the Korean term: {missing}"
    sections = [h for h in headings if re.match(r"#{1,2} ", h)]  # "### Exercise k" may follow "## Exercises"
    assert sections[-2:] == ["## Summary (요약)", "## Exercises (연습문제)"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
