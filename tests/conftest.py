"""Shared test set-up: a non-interactive matplotlib backend and the repository's paths."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    """The repository's root folder."""
    return ROOT
