"""Argument checks shared by the helper modules (private: not part of the package's interface)."""

from __future__ import annotations

import math
import numbers


def is_int(value: object) -> bool:
    """Return whether ``value`` is an integer (Python or NumPy), bools excluded."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_real_number(name: str, value: object, *, non_negative: bool = False, positive: bool = False) -> float:
    """Return ``value`` as a float; raise if it is not a finite real number (or not >= 0 / > 0 when asked)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    if non_negative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return float(value)


#: Every seed of the package is below this cap: ``numpy.random.seed``, which ``set_seed`` calls, takes no more.
SEED_CAP = 2**32


def check_seed(value: object, name: str = "seed", *, allow_none: bool = False) -> int | None:
    """Return ``value`` as a Python int; raise unless it is an int (Python or NumPy) in ``[0, 2**32)``.

    The one seed rule of the package. ``None`` passes through where ``allow_none`` says so.
    """
    if value is None and allow_none:
        return None
    if not is_int(value) or not 0 <= value < SEED_CAP:
        also = " or None" if allow_none else ""
        raise ValueError(f"{name} must be a non-negative int below 2**32{also}, got {value!r}")
    return int(value)
