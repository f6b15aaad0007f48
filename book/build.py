"""Build the chapter's web book, ``build/book/``, from the committed notebooks, in English and Korean.

    python book/build.py      # what `make book` runs, after installing the `book` extra and MathJax

Nothing is executed and nothing is fetched: the pages show the committed outputs, the ones nbval
checks. The steps:

Sphinx works in ``build/book-sphinx/`` (sources, doctrees, its output per language); the site is
then put together in ``build/book/``.

1. Stage ``build/book-sphinx/<language>/src/``: the landing page ``index.md`` (from ``book/chapter.toml`` and
   the notebooks' titles) and a copy of each notebook of that edition (``notebooks/`` or
   ``notebooks/ko/``) in which each figure's alt text, the code cell's ``metadata["alt"]``, becomes
   myst-nb's image option, and the title cell's Colab badge becomes a bar with the edition's badge
   (served from the site) and a link that downloads the committed notebook; the Colab set-up cell is
   folded (shown on a click).
2. Copy MathJax from the npm package that ``book/package-lock.json`` pins (``make book`` installs it
   into ``build/book-npm/``) into ``build/book-sphinx/static/mathjax/``.
3. Run ``sphinx-build`` for both languages at once, warnings as errors.
4. Put the site together: ``build/book/en/`` and ``build/book/ko/`` (the same page names in both, so
   each page links to its counterpart) and ``build/book/index.html``, which lets the reader choose.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
BUILD = ROOT / "build"
WORK = BUILD / "book-sphinx"
SOURCES = {"en": ROOT / "notebooks", "ko": ROOT / "notebooks" / "ko"}
MATHJAX_NPM = BUILD / "book-npm" / "node_modules" / "mathjax" / "es5"
# What the pages load (tex-chtml.js and its fonts) and what MathJax loads on demand: TeX extensions
# such as \cancel, the menu, and the accessibility and speech components the menu can switch on.
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "sre", "adaptors"]
DOWNLOADS = "notebooks"  # build/book/<language>/notebooks/<name>.ipynb: the committed files
BAR = {
    "en": ("Open in Colab", "colab-badge.svg", "Download the notebook (.ipynb)"),
    "ko": ("Colab에서 열기", "colab-badge-ko.svg", "노트북 내려받기 (.ipynb)"),
}


def _load_colab():
    """Return ``chapter5_utils.colab`` loaded from its file: it needs only the standard library, and
    importing the package would import PyTorch, which the book does not need."""
    spec = importlib.util.spec_from_file_location("chapter5_colab", ROOT / "chapter5_utils" / "colab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


colab = _load_colab()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def notebook_title(nb: dict) -> str:
    """Return the text of the notebook's first heading, "01 · Optimizers (최적화 기법)"."""
    for line in _source(nb["cells"][0]).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"the first cell must start with a '# ' title, got {_source(nb['cells'][0])[:80]!r}")


def links_bar(name: str, language: str) -> str:
    """Return the HTML under a notebook's title: the edition's Colab badge and the download link."""
    alt, image, download = BAR[language]
    link = html.escape(colab.colab_link(name, language))
    return (
        '<div class="chapter-links">\n'
        f'<a class="colab-badge" href="{link}"><img src="_static/{image}" alt="{alt}" width="117" height="20"></a>\n'
        f'<a class="download-notebook" href="{DOWNLOADS}/{name}" download="{name}">{download}</a>\n'
        "</div>\n"
    )


def stage_notebook(nb: dict, name: str, language: str) -> dict:
    """Return a copy of ``nb`` as the book renders it: figure alt texts as image options, the badge as a
    bar, and the Colab set-up cell folded away (a reader of the web page has nothing to set up)."""
    nb = json.loads(json.dumps(nb))
    title = nb["cells"][0]
    text = _source(title)
    if not colab.badge_links(text):
        raise ValueError(f"{language}/{name}: the title cell has no Open-in-Colab badge")
    title["source"] = colab.replace_badges(text, links_bar(name, language))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and _source(cell) == colab.setup_cell(language):
            tags = cell["metadata"].setdefault("tags", [])
            tags.append("hide-input")
        alt = str(cell.get("metadata", {}).get("alt", "")).strip()
        if cell["cell_type"] == "code" and alt:
            options = cell["metadata"].setdefault("mystnb", {}).setdefault("image", {})
            options["alt"] = alt
    return nb


def landing_page(language: str, chapter: dict, titles: dict[str, str]) -> str:
    """Return the MyST source of the landing page of ``language``: the notebooks, what each teaches,
    how long each takes to run, and a link to the other language."""
    site = chapter["site"][language]
    other = "ko" if language == "en" else "en"
    rows = [
        f"| [{titles[nb['name']]}]({nb['name']}) | {nb[language]} | {site['run_time'].format(seconds=nb['seconds'])} |"
        for nb in chapter["notebook"]
    ]
    toctree = "\n".join(Path(nb["name"]).stem for nb in chapter["notebook"])
    return "\n".join([
        f"# {site['title']}",
        "",
        f'<p class="language-choice"><a href="../{other}/index.html" hreflang="{other}" lang="{other}">'
        f"{site['other']}</a></p>",
        "",
        site["intro"],
        "",
        "| " + " | ".join(site["columns"]) + " |",
        "|---|---|---|",
        *rows,
        "",
        "```{toctree}",
        ":hidden:",
        ":maxdepth: 1",
        "",
        toctree,
        "```",
        "",
    ])


def stage(language: str, chapter: dict) -> Path:
    """Write the Sphinx sources of ``language`` into ``build/book-sphinx/<language>/src/`` and return the folder."""
    src = WORK / language / "src"
    downloads = WORK / language / "extra" / DOWNLOADS
    names = [nb["name"] for nb in chapter["notebook"]]
    found = sorted(p.name for p in SOURCES[language].glob("*.ipynb"))
    if found != sorted(names):
        raise ValueError(f"book/chapter.toml lists {sorted(names)}, but {SOURCES[language]} holds {found}")
    titles = {}
    for name in names:
        committed = SOURCES[language] / name
        nb = json.loads(committed.read_text(encoding="utf-8"))
        titles[name] = notebook_title(nb)
        staged = json.dumps(stage_notebook(nb, name, language), indent=1, ensure_ascii=False) + "\n"
        _write(src / name, staged)
        _write(downloads / name, committed.read_text(encoding="utf-8"))
    _write(src / "index.md", landing_page(language, chapter, titles))
    for path in list(src.iterdir()) + list(downloads.iterdir()):
        if path.name not in names and path.name != "index.md":
            path.unlink()
    return src


def copy_mathjax() -> None:
    """Copy the parts of MathJax the pages use into ``build/book-sphinx/static/mathjax/``."""
    if not (MATHJAX_NPM / "tex-chtml.js").exists():
        raise FileNotFoundError(
            f"MathJax is missing: {MATHJAX_NPM} does not exist; `make book` installs it (npm, book/package-lock.json)"
        )
    target = WORK / "static" / "mathjax"
    for part in MATHJAX_PARTS:
        source = MATHJAX_NPM / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def sphinx(language: str, src: Path) -> subprocess.Popen:
    """Start ``sphinx-build`` for ``language`` into ``build/book-sphinx/<language>/html/``: every page
    anew (``-E``: a change to the extension or the theme reaches every page), warnings are errors,
    every one reported. (myst-nb keeps the figures it extracts beside that folder.)"""
    work = WORK / language
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q", "-W", "--keep-going",
        "-c", str(BOOK), "-d", str(work / "doctrees"),
        "-D", f"language={language}", "-D", f"html_extra_path={work / 'extra'}",
        str(src), str(work / "html"),
    ]
    return subprocess.Popen(command, env={**os.environ, "PYTHONHASHSEED": "0"})


def root_page(chapter: dict) -> str:
    """Return ``build/book/index.html``: the book's title in both languages and a link to each site."""
    en, ko = chapter["site"]["en"], chapter["site"]["ko"]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(en["title"])}</title>
<link rel="icon" href="en/_static/favicon.svg" type="image/svg+xml">
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff;
         max-width: 40rem; margin: 4rem auto; padding: 0 1.5rem; line-height: 1.6;
         word-break: keep-all; overflow-wrap: break-word; }}
  [lang="ko"] {{ font-family: "Noto Sans KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic",
                 system-ui, sans-serif; word-break: keep-all; }}
  h1 {{ font-size: 1.6rem; }}
  a {{ color: #0a58ca; }}
  ul {{ padding-left: 1.2rem; }} li {{ margin: .6rem 0; font-size: 1.15rem; }}
</style>
</head>
<body>
<h1>{html.escape(en["title"])}</h1>
<ul>
<li><a href="en/index.html" hreflang="en">English</a></li>
<li lang="ko"><a href="ko/index.html" hreflang="ko">한국어 — {html.escape(ko["title"])}</a></li>
</ul>
</body>
</html>
"""


def assemble(out: Path, chapter: dict) -> None:
    """Put the site together in ``out``: ``index.html``, then each language's pages, without Sphinx's
    build records."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for language in SOURCES:
        shutil.copytree(WORK / language / "html", out / language,
                        ignore=shutil.ignore_patterns(".buildinfo", "_sources", "objects.inv"))
    (out / "index.html").write_text(root_page(chapter), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: build both sites into ``--out`` (``build/book``) and say how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD / "book", help="the site's folder (default: build/book)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    chapter = tomllib.loads((BOOK / "chapter.toml").read_text(encoding="utf-8"))
    sources = {language: stage(language, chapter) for language in SOURCES}
    copy_mathjax()
    builds = {language: sphinx(language, src) for language, src in sources.items()}
    failed = [language for language, build in builds.items() if build.wait() != 0]
    if failed:
        print(f"sphinx-build failed for {', '.join(failed)}: see the messages above", file=sys.stderr)
        return 1
    assemble(args.out, chapter)
    print(f"web book built in {time.perf_counter() - start:.0f} s: open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
