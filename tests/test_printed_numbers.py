"""Printed numbers cannot depend on round-off.

A difference of 2.2e-16 between two float64 computations is round-off: its digits change with the
CPU, the kernel path and the number of threads, so a notebook that prints it cannot pass nbval on
another machine. The notebooks print such a difference as a bound ("max |diff| < 1e-12") and
assert it. This test scans the committed outputs for numbers in scientific notation whose absolute
value is below 1e-10 and that are not bounds.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Below this, a printed value is taken for round-off unless it is a bound or allowed below.
THRESHOLD = 1e-10

#: {(notebook file name, snippet of the output line): why this tiny value is genuine, not round-off}.
ALLOWED: dict[tuple[str, str], str] = {}

# A number in scientific notation, not inside a word or another number; group 1 is a bound's sign
# or word just before it ("< 1e-12", "≤ 1e-12", "within 1e-12 of 0").
SCIENTIFIC = re.compile(r"(<|≤|\bwithin)?\s*(?<![\w.])([-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+)(?![\w.])")


def tiny_numbers(text: str) -> list[tuple[str, str]]:
    """Return ``(line, number)`` for each number in ``text`` printed in scientific notation with
    0 < |value| < THRESHOLD that is not a bound (a bound follows "<", "≤" or "within").

    An exact zero ("0.0e+00") has no round-off digits and is not reported.
    """
    found = []
    for line in text.splitlines():
        for match in SCIENTIFIC.finditer(line):
            bound, number = match.groups()
            if bound is None and 0 < abs(float(number)) < THRESHOLD:
                found.append((line.strip(), number))
    return found


def output_texts(path: Path) -> list[str]:
    """Return the text outputs of a notebook's code cells: streams and ``text/plain`` results."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                texts.append("".join(output["text"]))
            elif "text/plain" in output.get("data", {}):
                texts.append("".join(output["data"]["text/plain"]))
    return texts


def is_allowed(notebook: str, line: str) -> bool:
    return any(name == notebook and snippet in line for name, snippet in ALLOWED)


@pytest.mark.parametrize(
    "text",
    [
        "max |diff| = 2.5e-16",
        "derivative: 6.9e-18",
        "not within 1 of 3e-17",
        "tensor([1.0000e-20, 3.0000e+00])",
        "-3.1E-12",
        "x=1e-300",
    ],
)
def test_scanner_catches_round_off(text):
    assert len(tiny_numbers(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "max |diff| < 1e-12",
        "max |diff| ≤ 1e-15",
        "max |diff|<1e-12",
        "w₁ and w₂ within 1e-12 of 0",
        "lr 1.5e-3",
        "0.0",
        "max |diff| = 0.0e+00",
        "f after 30 steps = 2.536e+05",
        "1.0e-10",
        "weight_decay 1e-4, eps 1e-08",
        "colour #1e-12a",
        "version 2.13e-16x",
    ],
)
def test_scanner_passes_bounds_ordinary_numbers_and_exact_zero(text):
    assert tiny_numbers(text) == []


def test_scanner_reports_the_line_and_each_tiny_number():
    text = "sigmoid  value: 2.2e-16 < 1e-12\n  tanh  value: 1.1e-16   derivative: 2.8e-16\n"
    assert tiny_numbers(text) == [
        ("sigmoid  value: 2.2e-16 < 1e-12", "2.2e-16"),
        ("tanh  value: 1.1e-16   derivative: 2.8e-16", "1.1e-16"),
        ("tanh  value: 1.1e-16   derivative: 2.8e-16", "2.8e-16"),
    ]


def test_output_texts_reads_streams_and_plain_results(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": "3e-20"},
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["a = ", "4e-17\n"]},
                    {"output_type": "execute_result", "data": {"text/plain": ["5e-18"], "image/png": "..."}},
                    {"output_type": "display_data", "data": {"image/png": "6e-19"}},
                ],
            },
        ]
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert output_texts(path) == ["a = 4e-17\n", "5e-18"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_prints_no_round_off_digits(path):
    found = [
        f"{number!r} in {line!r}"
        for text in output_texts(path)
        for line, number in tiny_numbers(text)
        if not is_allowed(path.name, line)
    ]
    assert not found, (
        f"{path.name} prints values below {THRESHOLD:g} that look like round-off: print a bound "
        f"('max |diff| < 1e-12') and assert it, or add a reason to ALLOWED:\n" + "\n".join(found)
    )


def test_every_allowed_entry_still_matches_a_printed_line():
    for (name, snippet), reason in ALLOWED.items():
        assert reason, f"ALLOWED[{name!r}, {snippet!r}] needs a reason"
        lines = [line for text in output_texts(ROOT / "notebooks" / name) for line, _ in tiny_numbers(text)]
        assert any(snippet in line for line in lines), f"ALLOWED[{name!r}, {snippet!r}] matches no printed line"
