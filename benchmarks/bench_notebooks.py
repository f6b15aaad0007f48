"""Time every notebook under strict nbval against the floor that no notebook can go below.

    python benchmarks/bench_notebooks.py

Runs pytest --nbval (the project's settings) over notebooks/*.ipynb and over five "floor" notebooks,
one process, and sums pytest's per-item durations (set-up, call, tear-down) for each notebook:
- floor: a kernel that imports torch, NumPy, matplotlib, scikit-learn and chapter5_utils, and nothing else;
- floor + optimizer: the same kernel that also creates one torch.optim optimizer, which imports
  torch._dynamo (about a second), a cost that every notebook of the chapter pays, since each one trains.
Prints each notebook's total and its slowest cell, then the suite's total against five floors of each kind.
Run it on a quiet machine: other work on the cores inflates every number. ``--repeat N`` runs
everything N times and keeps each notebook's fastest run, which takes most of that noise out.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = """\
import matplotlib.pyplot as plt
import numpy as np
import sklearn.linear_model
import sklearn.model_selection
import torch

import chapter5_utils"""
OPTIMIZER = """\
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)"""
DURATION = re.compile(r"^\s*([0-9.]+)s\s+(setup|call|teardown)\s+(\S+?)::Cell (\d+)")


def floor_notebook(path: Path, with_optimizer: bool) -> None:
    """Write a notebook with the imports cell (and, if asked, one optimizer) to ``path``."""
    cells = [nbformat.v4.new_code_cell(IMPORTS)]
    if with_optimizer:
        cells.append(nbformat.v4.new_code_cell(OPTIMIZER))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def durations(paths: list[Path]) -> tuple[dict[str, float], dict[str, tuple[float, str]]]:
    """Run strict nbval over ``paths``; return each file's summed seconds and its slowest call."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--durations=0",
               "--durations-min=0", *map(str, paths)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"nbval failed:\n{result.stdout[-3000:]}")
    totals: dict[str, float] = defaultdict(float)
    slowest: dict[str, tuple[float, str]] = {}
    for line in result.stdout.splitlines():
        match = DURATION.match(line)
        if not match:
            continue
        seconds, phase, path, cell = float(match[1]), match[2], Path(match[3]).name, match[4]
        totals[path] += seconds
        if phase == "call" and seconds > slowest.get(path, (0.0, ""))[0]:
            slowest[path] = (seconds, f"Cell {cell}")
    return totals, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of everything; each notebook's fastest is kept")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    tmp = ROOT / "build" / "bench-floor"  # inside the repository, where nbval collects notebooks
    tmp.mkdir(parents=True, exist_ok=True)
    floors = []
    for i in range(len(notebooks)):
        for with_optimizer in (False, True):
            path = tmp / f"floor{'_opt' if with_optimizer else ''}_{i}.ipynb"
            floor_notebook(path, with_optimizer)
            floors.append(path)
    totals: dict[str, float] = {}
    slowest: dict[str, tuple[float, str]] = {}
    try:
        for _ in range(args.repeat):
            run_totals, run_slowest = durations(notebooks + floors)
            for name, seconds in run_totals.items():
                if name not in totals or seconds < totals[name]:
                    totals[name] = seconds
                    slowest[name] = run_slowest.get(name, (0.0, ""))
    finally:
        shutil.rmtree(tmp)
    print(f"{'notebook':<40} {'seconds':>8}  slowest cell (imports are Cell 1)")
    for nb in notebooks:
        seconds, cell = slowest[nb.name]
        print(f"{nb.name:<40} {totals[nb.name]:8.2f}  {cell}: {seconds:.2f} s")
    suite = sum(totals[nb.name] for nb in notebooks)
    floor = sum(t for name, t in totals.items() if name.startswith("floor_") and "_opt" not in name)
    floor_opt = sum(t for name, t in totals.items() if name.startswith("floor_opt"))
    print(f"{'suite':<40} {suite:8.2f}")
    print(f"{'floor (imports only) x5':<40} {floor:8.2f}  suite / floor = {suite / floor:.2f}")
    print(f"{'floor + first optimizer x5':<40} {floor_opt:8.2f}  suite / floor = {suite / floor_opt:.2f}")


if __name__ == "__main__":
    main()
