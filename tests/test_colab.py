"""The Colab badge and set-up cell of every notebook agree with chapter5_utils.colab, and the set-up
cell really makes a notebook runnable on a machine where the helpers are not installed."""

import http.server
import json
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from chapter5_utils import colab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KO_NOTEBOOKS = sorted((ROOT / "notebooks" / "ko").glob("*.ipynb"))


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_badge_and_setup_cell_agree_with_the_one_place(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert colab.badge_links(_source(cells[0])) == [colab.colab_link(path.name)]
    assert cells[1]["cell_type"] == "code" and _source(cells[1]) == colab.SETUP_CELL
    assert cells[1]["outputs"] == [], "the set-up cell prints nothing outside Colab"


@pytest.mark.parametrize("path", KO_NOTEBOOKS, ids=lambda p: p.stem)
def test_korean_badge_and_setup_cell_agree_with_the_one_place(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert colab.badge_links(_source(cells[0])) == [colab.colab_link(path.name, lang="ko")]
    assert cells[1]["cell_type"] == "code" and _source(cells[1]) == colab.SETUP_CELL_KO
    assert cells[1]["outputs"] == [], "the set-up cell prints nothing outside Colab"


def test_readme_badges_point_at_the_notebooks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(colab.badge_links(readme)) == sorted(colab.colab_link(p.name) for p in NOTEBOOKS)


def test_korean_readme_badges_point_at_the_korean_notebooks():
    readme = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    assert sorted(colab.badge_links(readme)) == sorted(colab.colab_link(p.name, lang="ko") for p in NOTEBOOKS)
    assert all("/notebooks/ko/" in link for link in colab.badge_links(readme))


def test_the_korean_setup_cell_is_the_english_one_plus_the_language():
    """The same code; the Korean cell adds the language line and says in Korean what it does outside Colab."""
    english, korean = colab.SETUP_CELL.splitlines(), colab.SETUP_CELL_KO.splitlines()
    language = 'os.environ["CHAPTER5_LANG"] = "ko"  # 연습문제의 답을 한국어로'
    assert korean[:2] == [line.rstrip("\n") for line in colab._KO_HEADER.splitlines()]
    assert "한국어로 받도록 설정만 한다" in korean[1], "outside Colab the Korean cell still sets the language"
    assert korean[2:] == english[2:4] + ["", language] + english[4:]
    assert colab.setup_cell("en") == colab.SETUP_CELL and colab.setup_cell("ko") == colab.SETUP_CELL_KO


@pytest.mark.parametrize("name", ["notebooks/01.ipynb", "a\\b.ipynb", "a b.ipynb", ".ipynb", "01.py", "01.ipynb/"])
def test_colab_link_rejects_paths_and_names_that_are_no_plain_notebook_file(name):
    with pytest.raises(ValueError, match="notebook_name must be a file name ending in .ipynb"):
        colab.colab_link(name)


def test_colab_link_rejects_unknown_languages():
    assert colab.colab_link("01_x.ipynb", lang="ko").endswith("/notebooks/ko/01_x.ipynb")
    with pytest.raises(ValueError, match=r"lang must be one of \('en', 'ko'\), got 'kr'"):
        colab.colab_link("01_x.ipynb", lang="kr")


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


def _fake_colab_notebook(tmp_path, url, ref, *more_cells):
    """A notebook of the fake-Colab cell, the set-up cell and ``more_cells``, and the folder to run it in."""
    workdir = tmp_path / "content"
    workdir.mkdir(exist_ok=True)
    cells = [FAKE_COLAB.format(root=str(ROOT), url=url, ref=ref), colab.SETUP_CELL, *more_cells]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), workdir


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("what", ["address", "ref"])
def test_a_failed_fetch_on_colab_says_what_to_do_and_stops(tmp_path, what):
    """A wrong address (nothing at that URL) or a wrong ref: the set-up cell names what it tried,
    says how to choose another address or ref or to upload the files, removes any half-made
    folder and stops with one short error, so that "Run all" stops there too."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(remote)], check=True)
    url = str(tmp_path / "no-such-repository.git") if what == "address" else str(remote)
    ref = "main" if what == "address" else "no-such-ref"
    nb, workdir = _fake_colab_notebook(tmp_path, url, ref, "print('after the set-up cell')")
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    with pytest.raises(CellExecutionError):  # as "Run all" does, execution stops at the set-up cell
        client.execute()
    setup = nb.cells[1]
    printed = _printed(setup)
    assert f"Could not fetch the course files from {url} at ref {ref!r}." in printed
    git_says = "does not exist" if what == "address" else "did not match any file(s) known to git"
    assert "git says: " in printed and git_says in printed, printed
    assert "%env CHAPTER5_REPO_REF=" in printed and "%env CHAPTER5_REPO_URL=" in printed
    assert "Files pane" in printed and str(workdir / "chapter5-neural-networks") in printed
    errors = [o for o in setup.outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["RuntimeError"]
    assert errors[0].evalue == "the course files are missing: read the message above"
    assert nb.cells[2].outputs == [], "the notebook must stop at the set-up cell"
    assert not (workdir / "chapter5-neural-networks").exists(), "a half-made folder would block a retry"


def test_after_a_failed_fetch_setting_the_ref_and_rerunning_works(tmp_path):
    """What the message advises works: %env CHAPTER5_REPO_REF=<good ref>, then the set-up cell again."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(remote)], check=True)
    good = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()
    nb, workdir = _fake_colab_notebook(tmp_path, str(remote), "no-such-ref",
                                       f"%env CHAPTER5_REPO_REF={good}", colab.SETUP_CELL, CHECK_ORIGIN)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    assert [o.output_type for o in nb.cells[1].outputs if o.output_type == "error"] == ["error"]
    assert not [o for o in nb.cells[3].outputs if o.output_type == "error"], _printed(nb.cells[3])
    assert "helpers from chapter5-neural-networks/chapter5_utils/__init__.py" in _printed(nb.cells[4])


def test_the_korean_setup_cell_makes_the_exercises_answer_in_korean(tmp_path):
    """Outside Colab the Korean set-up cell prints nothing, fetches nothing and sets CHAPTER5_LANG=ko,
    so that an exercise check in a Korean notebook prints the Korean line stored in notebooks/ko/."""
    from chapter5_utils.exercises import REGISTRY, not_attempted_message

    exercise_id = sorted(REGISTRY)[0]
    check = f'from chapter5_utils.exercises import check\ncheck("{exercise_id}", ...)'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (colab.SETUP_CELL_KO, check)])
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs == [] and list(tmp_path.iterdir()) == []
    assert _printed(nb.cells[1]) == not_attempted_message(exercise_id, "ko") + "\n"


def _head(path, rev="HEAD"):
    return subprocess.run(["git", "-C", str(path), "rev-parse", rev], check=True, capture_output=True,
                          text=True).stdout.strip()


PRINT_HEAD = """\
import subprocess
import threading
print(subprocess.run(["git", "-C", "chapter5-neural-networks", "rev-parse", "HEAD"], capture_output=True,
                     text=True).stdout.strip())
"""


def test_a_changed_ref_checks_out_again_in_the_existing_folder_and_an_unchanged_one_stays_offline(tmp_path):
    """Run the set-up cell at one commit, then with CHAPTER5_REPO_REF naming a branch at another commit: the
    existing clone fetches and checks out the branch. Run it a third time with the remote gone: nothing to do."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(remote)], check=True)
    first, second = _head(ROOT), _head(ROOT, "HEAD~1")
    subprocess.run(["git", "-C", str(remote), "branch", "older", second], check=True)
    nb, workdir = _fake_colab_notebook(tmp_path, str(remote), first, PRINT_HEAD, "%env CHAPTER5_REPO_REF=older",
                                       colab.SETUP_CELL, PRINT_HEAD)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    client.execute()
    assert _printed(nb.cells[2]).strip() == first
    assert _printed(nb.cells[5]).strip() == second, "the new ref was not checked out in the existing folder"
    assert _head(workdir / "chapter5-neural-networks") == second
    remote.rename(tmp_path / "gone.git")  # offline now: the same address and ref must not need the network
    again, _ = _fake_colab_notebook(tmp_path, str(remote), "older", PRINT_HEAD)
    NotebookClient(again, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    assert _printed(again.cells[1]) == "" and _printed(again.cells[2]).strip() == second


def test_a_failed_checkout_in_an_existing_folder_keeps_the_files(tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(remote)], check=True)
    nb, workdir = _fake_colab_notebook(tmp_path, str(remote), _head(ROOT), "%env CHAPTER5_REPO_REF=no-such-ref",
                                       colab.SETUP_CELL)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    assert "did not match any file(s) known to git" in _printed(nb.cells[3])
    assert [o.ename for o in nb.cells[3].outputs if o.output_type == "error"] == ["RuntimeError"]
    assert (workdir / "chapter5-neural-networks" / "chapter5_utils" / "colab.py").is_file()


class _AsksForAUserName(http.server.BaseHTTPRequestHandler):
    """What GitHub answers for a repository that does not exist or is private: 401, give a user name."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_git_never_prompts_and_a_request_for_a_user_name_is_explained(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AsksForAUserName)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/someone/private-fork.git"
        nb, workdir = _fake_colab_notebook(tmp_path, url, "main")
        client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
        with pytest.raises(CellExecutionError):
            client.execute()
    finally:
        server.shutdown()
        server.server_close()
    printed = _printed(nb.cells[1])
    assert "terminal prompts disabled" in printed, printed  # git failed at once instead of waiting for input
    assert "GitHub asks for a user name when a repository does not exist or is private" in printed
    assert not (workdir / "chapter5-neural-networks").exists()


def test_the_setup_cell_sets_git_terminal_prompt_for_every_git_call():
    for cell in (colab.SETUP_CELL, colab.SETUP_CELL_KO):
        assert 'GIT_TERMINAL_PROMPT="0"' in cell and cell.count("subprocess.run(") == 1
        assert max(len(line) for line in cell.splitlines()) <= 120
