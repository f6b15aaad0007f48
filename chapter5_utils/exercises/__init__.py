"""Exercises that answer back: ``check("02.2", answer)``, ``hint("02.2")``, ``solution("02.2")``.

The registry, the printing and the reading of answers live in ``core``; the Korean particles in
``korean``; each notebook's exercises live in a module of their own, imported here so that they
register themselves.
"""

from chapter5_utils.exercises import (  # noqa: E402, F401 - importing registers the exercises
    activations_losses,
    cross_validation,
    linear_mlp,
    model_parameters,
    optimizers,
)
from chapter5_utils.exercises.core import (
    REGISTRY,
    TIME_LIMIT_S,
    Exercise,
    Feedback,
    NotYet,
    as_bool,
    as_number,
    as_numbers,
    check,
    correct,
    evaluate,
    hint,
    language,
    not_attempted,
    not_attempted_message,
    not_yet,
    precision,
    register,
    solution,
)

__all__ = [
    "REGISTRY",
    "TIME_LIMIT_S",
    "Exercise",
    "Feedback",
    "NotYet",
    "as_bool",
    "as_number",
    "as_numbers",
    "check",
    "correct",
    "evaluate",
    "hint",
    "language",
    "not_attempted",
    "not_attempted_message",
    "not_yet",
    "precision",
    "register",
    "solution",
]
