"""Every figure in the notebooks has an alt text, the cell's ``metadata["alt"]``: in English in
notebooks/, in Korean in notebooks/ko/. The web book puts it on the figure's <img>."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
HANGUL = re.compile(r"[\uac00-\ud7a3]")
FILE_NAME = re.compile(r"^\S+\.(png|jpe?g|gif|svg|pdf|webp)$", re.IGNORECASE)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _figure_cells(nb: dict) -> list[int]:
    """Return the indices of the code cells that show an image."""
    return [index for index, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
            and any(mime.startswith("image/") for out in cell.get("outputs", []) for mime in out.get("data", {}))]


def _alt(cell: dict) -> str:
    return str(cell["metadata"].get("alt", "")).strip()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_has_an_english_alt_text_that_says_what_it_shows(path):
    nb = _load(path)
    for index in _figure_cells(nb):
        alt = _alt(nb["cells"][index])
        assert alt, f"cell {index + 1} draws a figure: give it metadata['alt'], one or two sentences on what it shows"
        assert not FILE_NAME.match(alt), f"cell {index + 1}: the alt text is a file name: {alt!r}"
        assert len(alt.split()) >= 4, f"cell {index + 1}: say what the figure shows, not just name it: {alt!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_of_the_korean_edition_has_a_korean_alt_text(path):
    en, ko = _load(path), _load(NOTEBOOK_DIR / "ko" / path.name)
    assert _figure_cells(ko) == _figure_cells(en)
    for index in _figure_cells(ko):
        alt = _alt(ko["cells"][index])
        assert HANGUL.search(alt), f"cell {index + 1}: translate its alt text in translations/ko/{path.stem}.po"
        assert alt != _alt(en["cells"][index])
