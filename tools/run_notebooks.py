"""Execute notebooks headless, top to bottom, in this environment's Python kernel.

    python tools/run_notebooks.py --out build notebooks/*.ipynb   # executed copy + HTML in build/
    python tools/run_notebooks.py --inplace notebooks/*.ipynb     # refresh the committed outputs

``--inplace`` is for `make outputs`: it rewrites each notebook with fresh outputs, execution
counts 1, 2, 3, … and no volatile metadata, so that nbval can compare against it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

VOLATILE_CELL_KEYS = ("execution", "collapsed", "scrolled")


def strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Drop timing and UI state from cell metadata, and the kernel's version details; merge split prints.

    One ``print`` can reach the notebook as one stream output or as several, depending on when the
    kernel flushes; merging consecutive outputs of the same stream makes the stored file the same
    on every run.
    """
    CoalesceStreamsPreprocessor().preprocess(nb, {})
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell.pop("id", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.nbformat, nb.nbformat_minor = 4, 4


def execute(path: Path, timeout: int) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    resources = {"metadata": {"path": str(path.parent)}}
    with tempfile.TemporaryDirectory() as sockets:
        # Local IPC sockets (in a temporary folder) rather than unencrypted TCP ports.
        km = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/kernel")
        try:
            NotebookClient(nb, km=km, timeout=timeout, resources=resources).execute()
        finally:
            if km.has_kernel:
                km.shutdown_kernel()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="folder for the executed copies and HTML pages")
    where.add_argument("--inplace", action="store_true", help="rewrite the notebooks with fresh outputs")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)

    total = 0.0
    for path in args.notebooks:
        start = time.perf_counter()
        nb = execute(path, args.timeout)
        seconds = time.perf_counter() - start
        total += seconds
        strip_volatile(nb)
        if args.inplace:
            nbformat.write(nb, path)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, args.out / path.name)
            html, _ = HTMLExporter().from_notebook_node(nb)
            (args.out / path.with_suffix(".html").name).write_text(html, encoding="utf-8")
        print(f"{path.name:45s} {seconds:6.1f} s", flush=True)
    print(f"{'all ' + str(len(args.notebooks)) + ' notebooks':45s} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
