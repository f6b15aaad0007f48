"""Every printed solution is a cell that runs as pasted: after the notebook's cells above its exercises,
each solution's code runs, ends with its check, and the check says *correct*, within the time a learner
should wait.

The notebook's cells run in this process (matplotlib draws off screen); the solution's `check(...)` line
runs the real check and the test reads its result.
"""

import contextlib
import io
import json
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

from chapter5_utils import exercises

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["01", "02", "03", "04", "05"]  # the notebooks whose exercise cells follow the registered exercises
SOLUTION_SECONDS = 30  # 15 s on a quiet 2-core machine, with room for a loaded one


def _cells_before_exercises(number: str) -> list[str]:
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("## Exercises"):
            break
        if cell["cell_type"] == "code":
            sources.append(source)
    return sources


def _solution_code(exercise_id: str) -> str:
    """The solution's code: every line up to and including its check line."""
    lines = exercises.REGISTRY[exercise_id].solution["en"].splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith(f'check("{exercise_id}"'))
    return "\n".join(lines[: end + 1])


@pytest.fixture(scope="module", params=NOTEBOOKS)
def notebook(request):
    number = request.param
    namespace: dict = {"__name__": "__main__"}
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)  # as in a fresh kernel: a notebook may set float64 for itself
    previous = os.getcwd()
    os.chdir(ROOT / "notebooks")
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for source in _cells_before_exercises(number):
                exec(compile(source, f"{number} cell", "exec"), namespace)  # noqa: S102 - the notebook's own code
    finally:
        plt.show = show
        os.chdir(previous)
    yield number, namespace
    torch.set_default_dtype(dtype)
    plt.close("all")


def test_every_solution_runs_as_pasted_and_is_correct(notebook):
    number, context = notebook
    ids = sorted(i for i in exercises.REGISTRY if i.startswith(number + "."))
    for exercise_id in ids:
        results = []

        def check(checked_id, *answers, results=results, **named):
            results.append((checked_id, exercises.evaluate(checked_id, *answers, **named)))

        namespace = {**context, "check": check, "hint": exercises.hint, "solution": exercises.solution}
        code = _solution_code(exercise_id)
        show = plt.show
        plt.show = lambda *args, **kwargs: plt.close("all")
        start = time.monotonic()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"solution {exercise_id}", "exec"), namespace)  # noqa: S102 - our solution
        finally:
            plt.show = show
        seconds = time.monotonic() - start
        assert [r[0] for r in results] == [exercise_id], f"{exercise_id}: the cell should end with its check"
        feedback = results[0][1]
        assert feedback.status == "correct", f"{exercise_id}: {feedback.en}"
        assert seconds < SOLUTION_SECONDS, f"{exercise_id}: the solution took {seconds:.1f} s"


def test_each_notebook_shows_the_registered_task_text(notebook):
    number, _ = notebook
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    markdown = " ".join(" ".join("".join(c["source"]).split()) for c in json.loads(path.read_text())["cells"]
                        if c["cell_type"] == "markdown")
    for exercise_id, exercise in exercises.REGISTRY.items():
        if exercise_id.startswith(number + ".") and exercise.task:
            assert " ".join(exercise.task.split()) in markdown, exercise_id
