"""The Korean edition (한국어판): gettext catalogues of the notebooks' prose, and the notebooks built from them.

    python tools/translate.py update   # translations/ko/<stem>.po follow notebooks/<stem>.ipynb
    python tools/translate.py build    # notebooks/ko/<stem>.ipynb from the English notebook + its catalogue
    python tools/translate.py check    # list what is untranslated, fuzzy or off the glossary; exit 1 if any

``make translations`` runs update, then build. One entry of a catalogue is one markdown cell: the
msgid is the English cell, the msgstr its Korean text. ``update`` keeps every translation whose
English cell is unchanged, marks the translation of a changed cell fuzzy (Babel's fuzzy matching
finds the old entry; ``git diff notebooks/`` shows what changed in the English), adds new cells
untranslated and keeps vanished ones as obsolete ``#~`` entries (``--prune`` drops them).
A figure's alt text (a code cell's ``metadata["alt"]``, what the figure shows, in English) is one
entry too, with the context ``alt``, and so is each comment of the exercise cells (the code cells
after "## Exercises", whose comments say what form each answer takes), with the context ``comment``.
``build`` copies the English notebook and puts in the translated markdown, alt texts and exercise
comments (English where a translation is missing or fuzzy), the Korean set-up cell and the Korean
"not attempted" lines of the exercise checks; code without its comments, and every output, stay
byte for byte the English ones. The Colab badge is kept out of the catalogues (``BADGE_TOKEN``), so that
moving the repository or its ref changes no translation.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from chapter5_utils import colab  # noqa: E402
from chapter5_utils.exercises.core import not_attempted_message  # noqa: E402

LANG = "ko"
NOTEBOOK_DIR = ROOT / "notebooks"
OUT_DIR = NOTEBOOK_DIR / LANG
CATALOGUE_DIR = ROOT / "translations" / LANG
GLOSSARY = CATALOGUE_DIR / "glossary.tsv"
BADGE_TOKEN = "{colab_badge}"
WIDTH = 0  # no wrapping: one line of markdown is one line of the catalogue

HEADER = """\
# Korean edition (한국어판) of notebooks/{name}.
# One entry per markdown cell: msgid is the English cell, msgstr its Korean text.
# `#: notebooks/{name}:N` means the N-th cell, counted from 1.
# Keep {badge}, `code`, $math$ and link targets as they are; terms: translations/ko/glossary.tsv.
# After editing: `make translations`, then `make test`."""

_NOT_ATTEMPTED = re.compile(r"Exercise (?P<id>\S+): not attempted yet\.")
_CODE = re.compile(r"`[^`\n]+`")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _message_id(cell: dict) -> str:
    return colab.replace_badges(_source(cell), BADGE_TOKEN)


def markdown_messages(nb: dict) -> list[tuple[int, str]]:
    """Return ``(cell number from 1, msgid)`` for every non-empty markdown cell of ``nb``, badges as ``BADGE_TOKEN``."""
    return [
        (number, _message_id(cell))
        for number, cell in enumerate(nb["cells"], start=1)
        if cell["cell_type"] == "markdown" and _source(cell).strip()
    ]


ALT_CONTEXT = "alt"
COMMENT_CONTEXT = "comment"
EXERCISES_HEADING = "## Exercises"


def code_comments(source: str) -> list[tuple[int, int, int, str]]:
    """Return ``(line from 0, start column, end column, text)`` of every ``#`` comment in ``source``;
    ``text`` is the comment without its ``#`` and the one space after it."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(tok.start[0] - 1, tok.start[1], tok.end[1], re.sub(r"^# ?", "", tok.string))
            for tok in tokens if tok.type == tokenize.COMMENT]


def without_comments(source: str) -> list[str]:
    """Return the lines of ``source`` with every comment cut off and trailing blanks dropped: two
    cells whose only difference is their comments give the same list."""
    lines = source.split("\n")
    for line, start, _, _ in reversed(code_comments(source)):
        lines[line] = lines[line][:start]
    return [line.rstrip() for line in lines]


def exercise_cells(nb: dict) -> list[int]:
    """Return the indices of the code cells after the ``## Exercises`` heading whose comments the Korean
    edition translates (the learner's answer cells: what form each answer takes)."""
    indices, inside = [], False
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            headings = [line for line in _source(cell).splitlines() if re.match(r"#{1,2} ", line)]
            if headings:
                inside = headings[-1].startswith(EXERCISES_HEADING)
        elif inside and code_comments(_source(cell)):
            indices.append(index)
    return indices


def comment_messages(nb: dict) -> list[tuple[int, str]]:
    """Return ``(cell number from 1, comment text)`` for every comment of the exercise cells of ``nb``."""
    return [(index + 1, text) for index in exercise_cells(nb)
            for _, _, _, text in code_comments(_source(nb["cells"][index])) if text.strip()]


def translate_comments(source: str, translations: dict[str, str]) -> str:
    """Return ``source`` with each comment replaced by its translation (kept where there is none)."""
    lines = source.split("\n")
    for line, start, end, text in reversed(code_comments(source)):
        if text in translations:
            lines[line] = lines[line][:start] + "# " + translations[text] + lines[line][end:]
    return "\n".join(lines)


def alt_messages(nb: dict) -> list[tuple[int, str]]:
    """Return ``(cell number from 1, alt text)`` for every code cell of ``nb`` whose metadata has an ``alt`` text."""
    return [
        (number, cell["metadata"]["alt"])
        for number, cell in enumerate(nb["cells"], start=1)
        if cell["cell_type"] == "code" and str(cell["metadata"].get("alt", "")).strip()
    ]


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} does not exist")
    return nbformat.read(path, as_version=4)


def template(notebook: Path) -> Catalog:
    """Return the catalogue template of ``notebook``: one untranslated entry per markdown cell."""
    catalog = _empty_catalog(notebook.name)
    for number, msgid in markdown_messages(_read_notebook(notebook)):
        comments = [f"{BADGE_TOKEN} becomes the Colab badge of the Korean notebook."] if BADGE_TOKEN in msgid else []
        catalog.add(msgid, locations=[(f"notebooks/{notebook.name}", number)], auto_comments=comments)
    for number, alt in alt_messages(_read_notebook(notebook)):
        comments = ["Alt text of the figure this code cell draws: say what it shows."]
        catalog.add(alt, locations=[(f"notebooks/{notebook.name}", number)], auto_comments=comments,
                    context=ALT_CONTEXT)
    for number, text in comment_messages(_read_notebook(notebook)):
        comments = ["A comment in an exercise cell: translate it; keep code in it (e.g. `(an int)`) as it is."]
        catalog.add(text, locations=[(f"notebooks/{notebook.name}", number)], auto_comments=comments,
                    context=COMMENT_CONTEXT)
    return catalog


def _empty_catalog(notebook_name: str) -> Catalog:
    return Catalog(
        locale=LANG,
        header_comment=HEADER.format(name=notebook_name, badge=BADGE_TOKEN),
        project="chapter5-neural-networks",
        version=Path(notebook_name).stem,
        language_team="Korean",
        fuzzy=False,
    )


def read_catalogue(path: Path) -> Catalog:
    """Return the catalogue stored at ``path`` (a ``.po`` file)."""
    if not path.is_file():
        raise FileNotFoundError(f"catalogue {path} does not exist: run `python tools/translate.py update`")
    with path.open("rb") as handle:
        return read_po(handle, locale=LANG)


def catalogue_text(catalog: Catalog) -> str:
    """Return the ``.po`` text of ``catalog``: the same text for the same entries, whatever the date
    or the Babel version (no POT-Creation-Date or Generated-By header)."""
    for message in catalog:  # "%" or "{…}" in prose (or LaTeX) is not a format string
        message.flags -= {"python-format", "python-brace-format"}
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH)
    text = buffer.getvalue().decode("utf-8")
    return re.sub(r'^"(POT-Creation-Date|Generated-By): .*\\n"\n', "", text, flags=re.MULTILINE)


def updated_catalogue(notebook: Path, catalogue: Path, prune: bool = False) -> Catalog:
    """Return the catalogue at ``catalogue`` (or a new one) brought up to date with ``notebook``."""
    current = read_catalogue(catalogue) if catalogue.is_file() else _empty_catalog(notebook.name)
    current.header_comment = HEADER.format(name=notebook.name, badge=BADGE_TOKEN)
    current.update(template(notebook))
    if prune:
        current.obsolete.clear()
    return current


def _translations(catalog: Catalog, context: str | None = None) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy and m.context == context}


def korean_exercise_output(text: str) -> str | None:
    """Return the Korean "not attempted" line if ``text`` is exactly the English one of an exercise, else None."""
    match = _NOT_ATTEMPTED.match(text)
    if match and text == not_attempted_message(match["id"], "en") + "\n":
        return not_attempted_message(match["id"], LANG) + "\n"
    return None


def build_notebook(notebook: Path, catalog: Catalog) -> nbformat.NotebookNode:
    """Return the Korean notebook built from the English ``notebook`` and its ``catalog``.

    Markdown cells, alt texts and the exercise cells' comments are translated (English where the
    translation is missing or fuzzy), the badge points
    at the Korean notebook, the set-up cell is ``colab.SETUP_CELL_KO`` and an exercise check's stored
    "not attempted" line is the Korean one. Everything else is the English notebook's.
    """
    nb = copy.deepcopy(_read_notebook(notebook))
    translations = _translations(catalog)
    alt_translations = _translations(catalog, ALT_CONTEXT)
    comment_translations = _translations(catalog, COMMENT_CONTEXT)
    for index in exercise_cells(nb):
        nb.cells[index].source = translate_comments(_source(nb.cells[index]), comment_translations)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and str(cell.metadata.get("alt", "")).strip():
            cell.metadata["alt"] = alt_translations.get(cell.metadata["alt"], cell.metadata["alt"])
        if cell.cell_type == "markdown" and _source(cell).strip():
            text = translations.get(_message_id(cell), _message_id(cell))
            cell.source = text.replace(BADGE_TOKEN, colab.badge(notebook.name, lang=LANG))
        elif cell.cell_type == "code" and index == 1:
            if _source(cell) != colab.SETUP_CELL:
                fix = "run `python -m chapter5_utils.colab --write` first"
                raise ValueError(f"cell 2 of {notebook} is not colab.SETUP_CELL: {fix}")
            cell.source = colab.SETUP_CELL_KO
        elif cell.cell_type == "code":
            _translate_exercise_output(cell.outputs)
    return nb


def _is_stdout(output: dict) -> bool:
    return output["output_type"] == "stream" and output["name"] == "stdout"


def _translate_exercise_output(outputs: list) -> None:
    """Put the Korean "not attempted" line in place of the English one. ``print`` may have stored the
    line and its newline as two stream outputs; the structure of the outputs is kept as it is."""
    first = 0
    while first < len(outputs):
        end = first
        while end < len(outputs) and _is_stdout(outputs[end]):
            end += 1
        text = "".join(o["text"] for o in outputs[first:end])  # nbformat.read joins each text into one str
        korean = korean_exercise_output(text) if end > first else None
        if korean is not None:
            head = outputs[first]["text"]
            if not head.startswith(text.rstrip("\n")):
                raise ValueError(f"the line {text!r} is split over several outputs: re-run the notebook")
            outputs[first]["text"] = korean.rstrip("\n") + head[len(text.rstrip("\n")):]
        first = max(end, first + 1)


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """Return ``nb`` as the text ``nbformat.write`` stores (the English notebooks' format)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


@dataclass(frozen=True)
class Term:
    """One glossary row: the English term, its one Korean term, variants that must not appear, a note."""

    english: str
    korean: str
    forbidden: tuple[str, ...]
    note: str

    @property
    def advisory(self) -> bool:
        """Whether the Korean term is written in brackets, "(스텝)": the English word has everyday senses
        too (a step function, a mistake), so the term is the preferred word, and only the forbidden
        variants are errors."""
        return self.korean.startswith("(") and self.korean.endswith(")")

    def pattern(self) -> re.Pattern:
        """Return the regex that finds the English term (plural too); case matters if the term has capitals."""
        flags = 0 if self.english != self.english.lower() else re.IGNORECASE
        words = r"\s+".join(re.escape(word) for word in self.english.split())  # a line break may split a term
        return re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", flags)


def read_glossary(path: Path = GLOSSARY) -> list[Term]:
    """Return the glossary's terms, longest English term first (so "gradient descent" wins over "gradient")."""
    if not path.is_file():
        raise FileNotFoundError(f"glossary {path} does not exist")
    terms = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    if not rows or rows[0] != ["english", "korean", "forbidden", "note"]:
        raise ValueError(f"{path}: the first row must be english, korean, forbidden, note (tab-separated)")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 4 or not row[0].strip() or not row[1].strip():
            raise ValueError(f"{path}:{number}: need 4 tab-separated fields with english and korean, got {row!r}")
        forbidden = tuple(v.strip() for v in row[2].split(",") if v.strip())
        terms.append(Term(row[0].strip(), row[1].strip(), forbidden, row[3].strip()))
    return sorted(terms, key=lambda t: (-len(t.english), t.english))


def _prose(text: str) -> str:
    """``text`` without code spans, math and link targets: where terms are looked for."""
    for pattern in (_CODE, _MATH, _LINK_TARGET):
        text = pattern.sub(" ", text)
    return text


def glossary_problems(
    msgid: str, msgstr: str, terms: list[Term], allowed: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Return how ``msgstr`` departs from the glossary: an English term of ``msgid`` without its Korean
    term, or a forbidden variant. Terms in ``allowed`` (a ``# glossary-ok: term`` comment) are skipped."""
    problems = []
    english = _prose(msgid)
    korean = _prose(msgstr)
    for term in terms:
        if term.english in allowed:
            continue
        found = term.pattern().search(english)
        english = term.pattern().sub(" ", english)
        if found and not term.advisory and term.korean not in korean:
            problems.append(f"{found[0]!r} is {term.korean!r} in the glossary, which the translation lacks")
        problems += [f"{variant!r} is not used: the glossary says {term.korean!r}"
                     for variant in term.forbidden if variant in korean]
    return problems


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """Return what of ``msgid``'s markup ``msgstr`` lost: the badge token, code spans, math, link targets, headings."""
    problems = []
    for pattern in (_CODE, _MATH, _LINK_TARGET):
        for piece in pattern.findall(msgid):
            if msgstr.count(piece) < msgid.count(piece):
                problems.append(f"keep {piece!r} as it is")
    if msgstr.count(BADGE_TOKEN) != msgid.count(BADGE_TOKEN):
        problems.append(f"keep {BADGE_TOKEN} exactly once where the English has it")
    if _HEADING.findall(msgid) != _HEADING.findall(msgstr):
        problems.append(f"headings {_HEADING.findall(msgid)} became {_HEADING.findall(msgstr)}")
    return problems


def _allowed_terms(message: Message) -> set[str]:
    return {c.split(":", 1)[1].strip() for c in message.user_comments if c.startswith("glossary-ok:")}


def catalogue_problems(notebook: Path, catalog: Catalog, terms: list[Term]) -> list[str]:
    """Return one line per markdown cell or alt text of ``notebook`` whose translation is missing, fuzzy
    or off the rules."""
    problems = []
    nb = _read_notebook(notebook)
    entries = [(number, msgid, None) for number, msgid in markdown_messages(nb)]
    entries += [(number, alt, ALT_CONTEXT) for number, alt in alt_messages(nb)]
    entries += [(number, text, COMMENT_CONTEXT) for number, text in comment_messages(nb)]
    for number, msgid, context in entries:
        message = catalog.get(msgid, context=context)
        first = msgid.splitlines()[0][:60]
        kind = {ALT_CONTEXT: "alt text", COMMENT_CONTEXT: "comment in cell"}.get(context, "cell")
        where = f"{notebook.name} {kind} {number} ({first!r})"
        if message is None:
            problems.append(f"{where}: not in the catalogue yet (run `make translations`)")
        elif not message.string:
            problems.append(f"{where}: untranslated")
        elif message.fuzzy:
            problems.append(f"{where}: fuzzy (the English changed; check the translation, then remove the flag)")
        else:
            for problem in markup_problems(msgid, message.string):
                problems.append(f"{where}: {problem}")
            for problem in glossary_problems(msgid, message.string, terms, _allowed_terms(message)):
                problems.append(f"{where}: {problem}")
    return problems


def _pairs(notebooks: Path, catalogues: Path) -> list[tuple[Path, Path]]:
    found = sorted(notebooks.glob("*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no notebooks in {notebooks}")
    return [(path, catalogues / f"{path.stem}.po") for path in found]


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: ``update``, ``build`` or ``check`` (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["update", "build", "check"])
    parser.add_argument("--prune", action="store_true", help="update: drop obsolete entries")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR, help="the English notebooks")
    parser.add_argument("--catalogues", type=Path, default=CATALOGUE_DIR, help="the .po files")
    parser.add_argument("--out", type=Path, default=None, help="build: where to write (default: <notebooks>/ko)")
    parser.add_argument("--only", default=None, help="only the notebook whose name starts with this (e.g. 02)")
    args = parser.parse_args(argv)
    pairs = _pairs(args.notebooks, args.catalogues)
    if args.only:
        pairs = [pair for pair in pairs if pair[0].name.startswith(args.only)]
        if not pairs:
            raise SystemExit(f"--only {args.only!r} matches no notebook in {args.notebooks}")
    if args.command == "update":
        for notebook, catalogue in pairs:
            changed = _write_if_changed(catalogue, catalogue_text(updated_catalogue(notebook, catalogue, args.prune)))
            print(f"{catalogue}: {'updated' if changed else 'unchanged'}")
        return 0
    if args.command == "build":
        out = args.out or args.notebooks / LANG
        for notebook, catalogue in pairs:
            catalog = read_catalogue(catalogue)
            changed = _write_if_changed(out / notebook.name, notebook_text(build_notebook(notebook, catalog)))
            todo = sum(1 for _, msgid in markdown_messages(_read_notebook(notebook))
                       if msgid not in _translations(catalog))
            note = f"; {todo} cells still in English (`python tools/translate.py check`)" if todo else ""
            print(f"{out / notebook.name}: {'written' if changed else 'unchanged'}{note}")
        return 0
    terms = read_glossary(args.catalogues / "glossary.tsv")
    problems = [p for notebook, catalogue in pairs
                for p in catalogue_problems(notebook, read_catalogue(catalogue), terms)]
    print("\n".join(problems) if problems else "every markdown cell is translated and follows the glossary")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
