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
