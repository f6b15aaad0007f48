"""The Colab badge and set-up cell of every notebook agree with chapter5_utils.colab, and the set-up
cell really makes a notebook runnable on a machine where the helpers are not installed."""

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from chapter5_utils import colab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_badge_and_setup_cell_agree_with_the_one_place(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert colab.badge_links(_source(cells[0])) == [colab.colab_link(path.name)]
    assert cells[1]["cell_type"] == "code" and _source(cells[1]) == colab.SETUP_CELL
    assert cells[1]["outputs"] == [], "the set-up cell prints nothing outside Colab"


def test_readme_badges_point_at_the_notebooks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(colab.badge_links(readme)) == sorted(colab.colab_link(p.name) for p in NOTEBOOKS)


def test_colab_link_rejects_paths():
    with pytest.raises(ValueError, match="notebook_name must be a file name ending in .ipynb"):
        colab.colab_link("notebooks/01.ipynb")


FAKE_COLAB = """\
import importlib.util, os, sys, types
sys.modules["google"] = types.ModuleType("google")
sys.modules["google.colab"] = types.ModuleType("google.colab")
# Forget the editable install and the repository on sys.path: as on Colab, nothing is installed.
sys.meta_path[:] = [f for f in sys.meta_path if "chapter5_utils" not in getattr(f, "__module__", "")
                    and "chapter5_utils" not in getattr(f, "__name__", "")]
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != {root!r}]
importlib.invalidate_caches()
assert importlib.util.find_spec("chapter5_utils") is None, "chapter5_utils is still importable"
os.environ["CHAPTER5_REPO_URL"] = {url!r}
os.environ["CHAPTER5_REPO_REF"] = {ref!r}
"""

CHECK_ORIGIN = """\
import chapter5_utils
assert chapter5_utils.__file__.startswith(os.path.abspath("chapter5-neural-networks")), chapter5_utils.__file__
print("helpers from", os.path.relpath(chapter5_utils.__file__))
"""


def test_notebook_runs_on_simulated_colab_offline(tmp_path):
    """A fake google.colab module, the repository URL pointing at a local clone, the helpers not
    installed, the notebook run from a folder outside the repository: the set-up cell must fetch
    the pinned commit and everything after it must run."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(remote)], check=True)
    ref = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True, capture_output=True,
                         text=True).stdout.strip()
    workdir = tmp_path / "content"
    workdir.mkdir()
    path = NOTEBOOKS[0]
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(FAKE_COLAB.format(root=str(ROOT), url=str(remote), ref=ref)))
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_ORIGIN))
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    client.execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "helpers from chapter5-neural-networks/chapter5_utils/__init__.py" in printed
    assert (workdir / "chapter5-neural-networks" / "data" / "diabetes.csv").is_file()
