"""Create a new notebook from the series' template: title with Colab badge, set-up cell, imports,
summary and exercises.

    python tools/new_notebook.py 06_regularisation "Regularisation (정규화)"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from chapter5_utils.colab import NOTEBOOK_DIR, SETUP_CELL, badge  # noqa: E402

IMPORTS = """import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from chapter5_utils import set_seed
from chapter5_utils.plotting import use_style

set_seed(0)
use_style()"""


def template(name: str, title: str) -> nbformat.NotebookNode:
    """Return the template notebook for ``notebooks/<name>.ipynb`` titled ``title``."""
    number = name.split("_", 1)[0]
    cells = [
        new_markdown_cell(
            f"# {number} · {title}\n\n{badge(name + '.ipynb')}\n\n**You will learn**\n\n- …\n- …\n- …"
        ),
        new_code_cell(SETUP_CELL),
        new_code_cell(IMPORTS),
        new_markdown_cell("## First section (한국어 용어)\n\nWhy it matters, in two or three sentences."),
        new_markdown_cell("## Summary (요약)\n\n- …"),
        new_markdown_cell("## Exercises (연습문제)\n\n1. … *Hint:* …"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.nbformat_minor = 4  # no cell ids: they would change on every regeneration
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="file name without .ipynb, starting with its number, e.g. 06_regularisation")
    parser.add_argument("title", help="English title with the Korean term in parentheses")
    args = parser.parse_args(argv)
    path = NOTEBOOK_DIR / f"{args.name}.ipynb"
    if path.exists():
        parser.error(f"{path} exists already")
    nbformat.write(template(args.name, args.title), path)
    print(f"wrote {path}; fill it in, then `make outputs NB={path.relative_to(Path.cwd())}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
