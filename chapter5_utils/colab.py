"""Where the notebooks fetch this repository from on Google Colab: the one place to change it.

Every notebook's first cell carries an Open-in-Colab badge built from ``REPO_URL``, ``REPO_REF``
and the notebook's path, and its second cell is ``SETUP_CELL`` exactly. ``tests/test_colab.py``
checks both. When the repository moves, change the two constants here, then run
``python -m chapter5_utils.colab --write`` to rewrite the badges and set-up cells in place.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

REPO_URL = "https://github.com/dl-course-kr/chapter5-neural-networks"
REPO_REF = "main"

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"

SETUP_CELL = f'''# Set-up: on Google Colab, fetch the course helpers and data (torch & co. are preinstalled).
# Elsewhere this cell does nothing: install the project with `make run` or `pip install -e .`.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    url = os.environ.get("CHAPTER5_REPO_URL", "{REPO_URL}")
    ref = os.environ.get("CHAPTER5_REPO_REF", "{REPO_REF}")
    repo = os.path.abspath("chapter5-neural-networks")
    if not os.path.isdir(repo):
        subprocess.run(["git", "clone", "--quiet", url, repo], check=True)
        subprocess.run(["git", "-C", repo, "checkout", "--quiet", ref], check=True)
    sys.path.insert(0, repo)'''

_BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<link>[^)]*)\)")


def colab_link(notebook_name: str) -> str:
    """Return the Colab address that opens ``notebooks/<notebook_name>`` at ``REPO_REF``."""
    if not notebook_name.endswith(".ipynb") or "/" in notebook_name:
        raise ValueError(f"notebook_name must be a file name ending in .ipynb, got {notebook_name!r}")
    path = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/{REPO_REF}/notebooks/{notebook_name}"


def badge(notebook_name: str) -> str:
    """Return the Markdown of the Open-in-Colab badge for ``notebooks/<notebook_name>``."""
    image = "https://colab.research.google.com/assets/colab-badge.svg"
    return f"[![Open In Colab]({image})]({colab_link(notebook_name)})"


def badge_links(text: str) -> list[str]:
    """Return the target address of every Open-in-Colab badge in ``text``."""
    return [m.group("link") for m in _BADGE_RE.finditer(text)]


def _write(notebook: Path) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    title = "".join(nb["cells"][0]["source"])
    title = _BADGE_RE.sub(lambda _: badge(notebook.name), title)
    nb["cells"][0]["source"] = title.splitlines(keepends=True)
    nb["cells"][1]["source"] = SETUP_CELL.splitlines(keepends=True)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--write`` puts the current badge and set-up cell into every notebook."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite badges and set-up cells")
    args = parser.parse_args(argv)
    for notebook in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        if args.write:
            _write(notebook)
        print(f"{notebook.name}: {colab_link(notebook.name)}")


if __name__ == "__main__":
    main()
