"""The maintainer tools: the notebook template, the output stripper and the Colab rewriter."""

import json
import shutil
import sys
from pathlib import Path

import nbformat

from chapter5_utils import colab

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import new_notebook  # noqa: E402
import run_notebooks  # noqa: E402


def test_template_has_the_series_shape():
    nb = new_notebook.template("06_regularisation", "Regularisation (정규화)")
    nbformat.validate(nb)
    title = nb.cells[0].source
    assert title.startswith("# 06 · Regularisation (정규화)")
    assert colab.badge_links(title) == [colab.colab_link("06_regularisation.ipynb")]
    assert nb.cells[1].source == colab.SETUP_CELL
    assert "set_seed(0)" in nb.cells[2].source
    assert [c.source.splitlines()[0] for c in nb.cells[-2:]] == ["## Summary (요약)", "## Exercises (연습문제)"]


def test_strip_volatile_removes_timing_ids_and_kernel_details():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    run_notebooks.strip_volatile(nb)
    assert "execution" not in nb.cells[0].metadata and "id" not in nb.cells[0]
    assert nb.metadata["language_info"] == {"name": "python"} and nb.nbformat_minor == 4
    nbformat.validate(nb)


def test_colab_write_restores_badge_and_setup_cell(tmp_path, monkeypatch):
    source = sorted(colab.NOTEBOOK_DIR.glob("*.ipynb"))[0]
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    nb = json.loads(copy.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = ["".join(nb["cells"][0]["source"]).replace("/blob/main/", "/blob/old-ref/")]
    nb["cells"][1]["source"] = ["# an outdated set-up cell\n"]
    copy.write_text(json.dumps(nb), encoding="utf-8")

    monkeypatch.setattr(colab, "NOTEBOOK_DIR", tmp_path)
    colab.main(["--write"])
    cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
    assert colab.badge_links("".join(cells[0]["source"])) == [colab.colab_link(source.name)]
    assert "".join(cells[1]["source"]) == colab.SETUP_CELL
    assert cells[2:] == json.loads(source.read_text(encoding="utf-8"))["cells"][2:]


def test_strip_volatile_merges_a_print_split_across_stream_outputs():
    cell = nbformat.v4.new_code_cell("print('a'); print('b')")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b"),
        nbformat.v4.new_output("stream", name="stdout", text="\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warn\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    run_notebooks.strip_volatile(nb)
    assert [(o.name, o.text) for o in nb.cells[0].outputs] == [("stdout", "a\nb\n"), ("stderr", "warn\n")]
