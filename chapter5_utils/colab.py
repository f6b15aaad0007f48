"""Where the notebooks fetch this repository from on Google Colab: the one place to change it.

Every notebook's first cell carries an Open-in-Colab badge built from ``REPO_URL``, ``REPO_REF``
and the notebook's path, and its second cell is ``SETUP_CELL`` exactly (``SETUP_CELL_KO`` in the
Korean edition, ``notebooks/ko/``). ``tests/test_colab.py`` checks both. When the repository
moves, change the two constants here, run ``python -m chapter5_utils.colab --write`` to rewrite
the badges and set-up cells of the English notebooks in place, then ``make translations`` to
rebuild the Korean ones.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

REPO_URL = "https://github.com/dl-course-kr/chapter5-neural-networks"
REPO_REF = "main"
LANGUAGES = ("en", "ko")

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"

# The cell reads CHAPTER5_REPO_URL / CHAPTER5_REPO_REF so that a learner can fetch a fork or
# another ref without editing it. It records the address and ref it checked out in the clone's
# git config (chapter5.source); when either changes, running the cell again fetches and checks out
# the new one in the same folder, and while neither changes it touches no network. git never asks
# for a password (GIT_TERMINAL_PROMPT=0): GitHub answers a missing or private repository with a
# request for a user name, which the message then explains. On failure it says what it tried and
# what to do, then stops with one short error so that "Run all" does not go on into ModuleNotFoundError.
_SETUP_TEMPLATE = '''# Set-up: on Google Colab, fetch the course helpers and data (torch & co. are preinstalled).
# Elsewhere this cell does nothing: install the project with `make run` or `pip install -e .`.
import os
import sys
__LANGUAGE__if "google.colab" in sys.modules:
    import shutil
    import subprocess

    url = os.environ.get("CHAPTER5_REPO_URL", "__REPO_URL__")
    ref = os.environ.get("CHAPTER5_REPO_REF", "__REPO_REF__")
    repo = os.path.abspath("chapter5-neural-networks")
    no_prompt = dict(os.environ, GIT_TERMINAL_PROMPT="0")  # fail at once instead of asking for a password

    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, env=no_prompt)

    fresh, source = not os.path.isdir(repo), f"{url} {ref}"
    if fresh:
        done = git("clone", "--quiet", url, repo)
    elif os.path.isdir(f"{repo}/.git") and git("-C", repo, "config", "chapter5.source").stdout.strip() != source:
        git("-C", repo, "remote", "set-url", "origin", url)  # another address or ref than last time
        done = git("-C", repo, "fetch", "--quiet", "--tags", "origin")
    else:
        done = None  # the folder holds what was asked for, or files you brought yourself
    if done is not None and done.returncode == 0:
        done = git("-C", repo, "checkout", "--quiet", "--detach", f"origin/{ref}")  # a branch, as fetched
        if done.returncode != 0:
            done = git("-C", repo, "checkout", "--quiet", ref)  # a tag or a commit
        if done.returncode == 0:
            git("-C", repo, "config", "chapter5.source", source)
    if done is not None and done.returncode != 0:
        if fresh:
            shutil.rmtree(repo, ignore_errors=True)
        private = "Username" in done.stderr  # GitHub's answer for a missing or private repository
        print(f"""Could not fetch the course files from {url} at ref {ref!r}.
git says: {done.stderr.strip()}""")
        if private:
            print("GitHub asks for a user name when a repository does not exist or is private: check the address.")
        print(f"""Do one of these, then run this cell again:
- Use another address or ref: add a cell above this one with, for example,
  %env CHAPTER5_REPO_REF=<branch, tag or commit>   or   %env CHAPTER5_REPO_URL=<address>
- Bring the files yourself: on GitHub, Code > Download ZIP; upload the zip in the Files pane
  (folder icon, left); unzip it (!unzip -q <file>.zip); rename the folder so that this one exists:
  {repo}""")
        raise RuntimeError("the course files are missing: read the message above")
    sys.path.insert(0, repo)'''

_KO_LANGUAGE_LINE = '\nos.environ["CHAPTER5_LANG"] = "ko"  # 연습문제의 답을 한국어로\n\n'


# The Korean cell's first two lines, in Korean: outside Colab it still sets the feedback language.
_KO_HEADER = (
    "# 설정: Google Colab에서는 강의의 도우미 코드와 데이터를 가져온다(torch 등은 이미 설치되어 있다).\n"
    "# 다른 곳에서는 연습문제의 답을 한국어로 받도록 설정만 한다. 설치는 `make run` 또는 `pip install -e .`로 한다.\n"
)


def _setup_cell(lang: str) -> str:
    language = _KO_LANGUAGE_LINE if lang == "ko" else ""
    cell = _SETUP_TEMPLATE.replace("__REPO_URL__", REPO_URL).replace("__REPO_REF__", REPO_REF)
    if lang == "ko":
        header = "".join(cell.splitlines(keepends=True)[:2])
        cell = _KO_HEADER + cell[len(header):]
    return cell.replace("__LANGUAGE__", language or "\n")


SETUP_CELL = _setup_cell("en")
SETUP_CELL_KO = _setup_cell("ko")

_NOTEBOOK_NAME_RE = re.compile(r"[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.ipynb")
_BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<link>[^)]*)\)")


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")


def setup_cell(lang: str = "en") -> str:
    """Return the Colab set-up cell of a notebook in ``lang`` ("en": ``SETUP_CELL``, "ko": ``SETUP_CELL_KO``)."""
    _check_language(lang)
    return SETUP_CELL_KO if lang == "ko" else SETUP_CELL


def colab_link(notebook_name: str, lang: str = "en") -> str:
    """Return the Colab address that opens ``notebooks/<notebook_name>`` at ``REPO_REF``.

    With ``lang="ko"`` it opens the Korean edition, ``notebooks/ko/<notebook_name>``.
    """
    if not isinstance(notebook_name, str) or not _NOTEBOOK_NAME_RE.fullmatch(notebook_name):
        raise ValueError(f"notebook_name must be a file name ending in .ipynb, made of letters, digits, '_', '-' "
                         f"and '.' (no folder, no space), got {notebook_name!r}")
    _check_language(lang)
    folder = "notebooks/ko" if lang == "ko" else "notebooks"
    path = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/{REPO_REF}/{folder}/{notebook_name}"


def badge(notebook_name: str, lang: str = "en") -> str:
    """Return the Markdown of the Open-in-Colab badge for ``notebooks/<notebook_name>`` (in ``lang``)."""
    image = "https://colab.research.google.com/assets/colab-badge.svg"
    return f"[![Open In Colab]({image})]({colab_link(notebook_name, lang)})"


def badge_links(text: str) -> list[str]:
    """Return the target address of every Open-in-Colab badge in ``text``."""
    return [m.group("link") for m in _BADGE_RE.finditer(text)]


def replace_badges(text: str, replacement: str) -> str:
    """Return ``text`` with every Open-in-Colab badge replaced by ``replacement``."""
    return _BADGE_RE.sub(lambda _: replacement, text)


def _write(notebook: Path) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    title = "".join(nb["cells"][0]["source"])
    title = replace_badges(title, badge(notebook.name))
    nb["cells"][0]["source"] = title.splitlines(keepends=True)
    nb["cells"][1]["source"] = SETUP_CELL.splitlines(keepends=True)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--write`` puts the current badge and set-up cell into every English notebook."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite badges and set-up cells")
    args = parser.parse_args(argv)
    for notebook in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        if args.write:
            _write(notebook)
        print(f"{notebook.name}: {colab_link(notebook.name)}")
    if args.write:
        print("Now run `make translations` to rebuild the Korean notebooks in notebooks/ko/.")


if __name__ == "__main__":
    main()
