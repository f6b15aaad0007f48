"""Helpers for the chapter-5 notebooks (artificial neural networks, 인공신경망).

One module per concern: ``data`` (loading and synthetic sets), ``training`` (seeding, devices,
the training loop, metrics), ``plotting``, ``colab`` (where Colab fetches the repository), and
one module per from-scratch topic (``perceptron``, ``functions``, ``optim``, ``cv``, ``inspection``).
"""

from chapter5_utils.data import (
    as_tensors,
    load_diabetes,
    load_digits,
    make_noisy_line,
    make_xor,
    standardize,
)
from chapter5_utils.training import History, accuracy, evaluate_loss, fit, get_device, rmse, set_seed

__all__ = [
    "History",
    "accuracy",
    "as_tensors",
    "evaluate_loss",
    "fit",
    "get_device",
    "load_diabetes",
    "load_digits",
    "make_noisy_line",
    "make_xor",
    "rmse",
    "set_seed",
    "standardize",
]
