"""Measure how far each printed number is from flipping its last digit on another machine.

    python tools/digit_headroom.py notebooks/05_model_parameters.ipynb [--min 1000]

A copy of the notebook is made with 9 more digits in every format spec (``{x:.4f}`` →
``{x:.13f}``, ``round(x, 4)``, ``precision=4`` in print options), and executed three times:
with the machine's default kernels and one thread, with ``ATEN_CPU_CAPABILITY=default`` and
one thread, and with the default kernels and two threads. For every number the committed
notebook prints, the wide runs give its value to 9 more digits; the headroom is

    distance from the value to the nearest rounding boundary of the printed digits
    ------------------------------------------------------------------------------
    largest difference between the three runs

A headroom of 1000 means the value would have to move 1000 times further than it moves
between these kernel paths before the printed text changed. Numbers that do not move at all
are counted, not listed. Exits with status 1 if any headroom is below ``--min``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

EXTRA = 9
RUNS = {
    "default kernels, 1 thread": {"OMP_NUM_THREADS": "1"},
    "ATEN_CPU_CAPABILITY=default, 1 thread": {"OMP_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "default"},
    "default kernels, 2 threads": {"OMP_NUM_THREADS": "2"},
}
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
WIDEN = [
    (re.compile(r"(\{[^{}]*:[^{}:]*\.)(\d+)([fFeEgG%]\})"), 2),  # f-string / format spec
    (re.compile(r"(%[-+ 0#]*\d*\.)(\d+)([fFeEgG])"), 2),  # printf-style
    (re.compile(r"(\bround\([^()]*(?:\([^()]*\)[^()]*)*,\s*)(\d+)(\))"), 2),
    (re.compile(r"(\bprecision\s*=\s*)(\d+)()"), 2),
]


def widen(source: str) -> str:
    """Return ``source`` with every recognised format precision raised by ``EXTRA`` digits."""
    for pattern, group in WIDEN:
        source = pattern.sub(lambda m, g=group: m.group(1) + str(int(m.group(g)) + EXTRA) + m.group(3), source)
    return source


def _texts(nb: dict) -> list[str]:
    """Return the printed text of each code cell (stream output and text/plain results)."""
    texts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts = []
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
        texts.append("".join(parts))
    return texts


def boundary_distance(token: str, value: float) -> float:
    """Return the distance from ``value`` to the nearest value that ``token``'s digits would round differently."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    scale = 10.0 ** (int(exponent) if exponent else 0)
    step = 10.0**-decimals * scale
    # Boundaries lie half a step either side of the printed value's grid points.
    offset = (value / step) % 1.0
    return abs(offset - 0.5) * step


def execute(path: Path, env: dict[str, str], out: Path) -> dict:
    """Execute ``path`` with ``env`` added to the environment; return the executed notebook."""
    runner = Path(__file__).resolve().parent / "run_notebooks.py"
    subprocess.run(
        [sys.executable, str(runner), "--out", str(out), str(path)],
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads((out / path.name).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--min", type=float, default=1000.0, help="smallest acceptable headroom")
    args = parser.parse_args(argv)

    committed = json.loads(args.notebook.read_text(encoding="utf-8"))
    wide = json.loads(args.notebook.read_text(encoding="utf-8"))
    for cell in wide["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = widen("".join(cell["source"]))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / args.notebook.name
        copy.write_text(json.dumps(wide), encoding="utf-8")
        runs = {name: _texts(execute(copy, env, Path(tmp) / str(i))) for i, (name, env) in enumerate(RUNS.items())}

    still, short, rows = 0, 0, []
    for index, text in enumerate(_texts(committed)):
        printed = NUMBER.findall(text)
        wide_tokens = [NUMBER.findall(r[index]) for r in runs.values()]
        if any(len(t) != len(printed) for t in wide_tokens):
            rows.append((f"In [{index + 1}]", "numbers do not line up with the wide copy; check by hand", ""))
            continue
        for k, token in enumerate(printed):
            values = [float(t[k]) for t in wide_tokens]
            moved = max(values) - min(values)
            if moved == 0:
                still += 1
                continue
            headroom = boundary_distance(token, values[0]) / moved
            short += headroom < args.min
            rows.append((f"In [{index + 1}]", token, f"moves {moved:.1e}, headroom {headroom:,.0f}×"))
    print(f"{args.notebook.name}: {still} printed numbers identical in all runs")
    for where, token, what in rows:
        print(f"  {where:9s} {token:>14s}  {what}")
    print(f"{short} below {args.min:g}× headroom" if short else f"all moving numbers have ≥ {args.min:g}× headroom")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
