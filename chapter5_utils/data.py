"""Data sets of the chapter: the two real CSV files in ``data/`` and small seeded synthetic sets.

The CSV files are written by ``python -m chapter5_utils.data --rebuild`` from the copies that
scikit-learn ships, so no network is ever needed. Loading verifies each file's SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import numbers
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from chapter5_utils._validation import check_seed

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REBUILD_COMMAND = "python -m chapter5_utils.data --rebuild"

DIABETES_FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
DIGITS_FEATURES = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]

#: SHA-256 of each file as the rebuild command writes it (also listed in data/README.md).
CHECKSUMS = {
    "diabetes.csv": "9193026b7622ff944f0a6855a10107b24caf50dad69787c46e6890e69c27faca",
    "digits.csv": "7a93e51f73dadeb4429b4fc0718b334d12864332b906bdf44f9da7599a7e0e01",
}


class Table(NamedTuple):
    """A loaded data set: features ``X`` (n, d), target ``y`` (n,) and the column names."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_name: str


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder(data_dir: str | os.PathLike | None, what: str) -> Path:
    """Return ``data_dir`` as a Path (``DATA_DIR`` for None); an empty or non-path value is refused."""
    if data_dir is None:
        return DATA_DIR
    if not isinstance(data_dir, str | os.PathLike) or not os.fspath(data_dir).strip():
        error = ValueError if isinstance(data_dir, str | os.PathLike) else TypeError
        raise error(
            f"data_dir must be the path of a folder {what} (a str or pathlib.Path), or None for the "
            f"repository's data/ folder, got {data_dir!r}"
        )
    return Path(data_dir)


def _checked_path(name: str, data_dir: str | os.PathLike | None) -> Path:
    path = _folder(data_dir, f"holding {name}") / name
    if not path.is_file():
        raise FileNotFoundError(
            f"data file {str(path)!r} is missing; recreate it with `{REBUILD_COMMAND}` "
            "from the repository root"
        )
    digest = _sha256(path)
    if digest != CHECKSUMS[name]:
        raise ValueError(
            f"data file {str(path)!r} has SHA-256 {digest}, expected {CHECKSUMS[name]}: "
            f"it was altered; restore it with `git checkout -- data/{name}` or `{REBUILD_COMMAND}`"
        )
    return path


def _read_csv(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    values = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return header, values


def load_diabetes(data_dir: str | os.PathLike | None = None) -> Table:
    """Return the diabetes regression data (442 rows, 10 features in original units, float64).

    The target is a quantitative measure of disease progression one year after baseline.
    ``data_dir`` is the folder holding ``diabetes.csv`` (default: the repository's ``data/``).
    """
    header, values = _read_csv(_checked_path("diabetes.csv", data_dir))
    return Table(values[:, :-1], values[:, -1], header[:-1], header[-1])


def load_digits(data_dir: str | os.PathLike | None = None) -> Table:
    """Return the 8x8 handwritten digits (1797 rows, 64 pixel intensities 0..16, labels 0..9 as int64)."""
    header, values = _read_csv(_checked_path("digits.csv", data_dir))
    return Table(values[:, :-1], values[:, -1].astype(np.int64), header[:-1], header[-1])


def _format(value: float) -> str:
    # The source values have at most 4 decimals. scikit-learn < 1.8 ships 11 of them with round-off
    # (4.803999999999999 for 4.804); rounding to 10 decimals removes it, so every version writes the same bytes.
    return np.format_float_positional(np.round(value, 10), trim="-")


def rebuild(data_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """Write ``diabetes.csv`` and ``digits.csv`` from scikit-learn's bundled copies; return their SHA-256."""
    from sklearn import datasets

    out = _folder(data_dir, "to write the CSV files into")
    out.mkdir(parents=True, exist_ok=True)
    diabetes = datasets.load_diabetes(scaled=False)
    digits = datasets.load_digits()
    tables = {
        "diabetes.csv": (DIABETES_FEATURES + ["progression"], diabetes.data, diabetes.target),
        "digits.csv": (DIGITS_FEATURES + ["label"], digits.data, digits.target),
    }
    digests = {}
    for name, (header, X, y) in tables.items():
        lines = [",".join(header)]
        lines += [",".join(_format(v) for v in (*row, target)) for row, target in zip(X, y)]
        path = out / name
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        digests[name] = _sha256(path)
    return digests


def _check_int(name: str, value: object, minimum: int) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int of at least {minimum}, got {value!r}")


def _check_finite(name: str, value: object, *, non_negative: bool = False) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if non_negative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def make_xor(n_per_corner: int = 1, noise: float = 0.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return XOR inputs (4·n, 2) in {0, 1}² (plus optional Gaussian noise) and labels (4·n,) in {0, 1}.

    With the defaults it is the four-row truth table.
    """
    _check_int("n_per_corner", n_per_corner, 1)
    _check_finite("noise", noise, non_negative=True)
    seed = check_seed(seed)
    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X = corners.repeat(int(n_per_corner), 1)
    y = (X[:, 0] != X[:, 1]).to(torch.float32)
    if noise > 0:
        gen = torch.Generator().manual_seed(seed)
        X = X + float(noise) * torch.randn(X.shape, generator=gen)
    return X, y


def make_noisy_line(
    n: int = 100, slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``x`` (n, 1) uniform on [-2, 2] and ``y = slope·x + intercept + noise·ε`` (n, 1), seeded."""
    _check_int("n", n, 2)
    _check_finite("slope", slope)
    _check_finite("intercept", intercept)
    _check_finite("noise", noise, non_negative=True)
    seed, n = check_seed(seed), int(n)
    gen = torch.Generator().manual_seed(seed)
    x = 4 * torch.rand(n, 1, generator=gen) - 2
    y = float(slope) * x + float(intercept) + float(noise) * torch.randn(n, 1, generator=gen)
    return x, y


def standardize(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Return ``[train, *others]`` scaled with the mean and standard deviation of ``train`` only.

    Using the training part's statistics for every part keeps the held-out data unseen. A column
    that is constant, or differs from a constant only by round-off (scikit-learn's test from the
    error bound of the variance), is only centred: its scale is taken as 1, as ``StandardScaler`` does.
    """
    train = np.asarray(train, dtype=np.float64)
    if train.ndim != 2 or train.shape[0] < 2:
        raise ValueError(f"train must be a 2-D array with at least 2 rows, got shape {train.shape}")
    if not np.isfinite(train).all():
        raise ValueError("train must contain only finite numbers, got NaN or infinity")
    mean = train.mean(axis=0)
    var = train.var(axis=0)
    n, eps = train.shape[0], np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2  # scikit-learn's _is_constant_feature
    std = np.where(constant, 1.0, np.sqrt(var))
    result = [(train - mean) / std]
    for i, other in enumerate(others):
        other = np.asarray(other, dtype=np.float64)
        if other.ndim != 2 or other.shape[1] != train.shape[1]:
            raise ValueError(
                f"others[{i}] must have shape (m, {train.shape[1]}) like train, got {other.shape}"
            )
        if not np.isfinite(other).all():
            raise ValueError(f"others[{i}] must contain only finite numbers, got NaN or infinity")
        result.append((other - mean) / std)
    return result


def as_tensors(*arrays: np.ndarray, dtype: torch.dtype = torch.float32) -> list[torch.Tensor]:
    """Return each array as a torch tensor of ``dtype`` (labels: pass ``dtype=torch.long``).

    Nothing is lost silently: an integer or bool ``dtype`` needs whole numbers in its range (1.7 is
    refused, not truncated to 1), and a float ``dtype`` must not turn finite numbers into infinity.
    """
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype such as torch.float32 or torch.long, got {dtype!r}")
    tensors = []
    for i, a in enumerate(arrays):
        a = np.asarray(a.detach().cpu() if isinstance(a, torch.Tensor) else a)
        tensor = torch.as_tensor(a, dtype=dtype)
        _check_conversion(f"arrays[{i}]", a, tensor)
        tensors.append(tensor)
    return tensors


def _check_conversion(name: str, a: np.ndarray, tensor: torch.Tensor) -> None:
    """Raise ``ValueError`` when ``tensor`` does not hold the values of ``a`` (truncated, wrapped, overflowed)."""
    if a.dtype.kind not in "biuf" or a.size == 0:
        return
    if tensor.is_floating_point():
        lost = np.isfinite(a) & ~np.isfinite(tensor.double().numpy())
        what = f"overflows to infinity as {tensor.dtype}"
    else:
        lost = tensor.double().numpy() != a
        what = f"is not a whole number in the range of {tensor.dtype}; round it first if that is what you want"
    if lost.any():
        raise ValueError(f"{name} holds {a[lost].ravel()[0].item()!r}, which {what}")


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--rebuild`` writes the CSV files; ``--check`` verifies their checksums."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="write data/*.csv from scikit-learn")
    parser.add_argument("--check", action="store_true", help="verify data/*.csv against CHECKSUMS")
    args = parser.parse_args(argv)
    if args.rebuild:
        for name, digest in rebuild().items():
            status = "ok" if digest == CHECKSUMS[name] else "CHANGED: update CHECKSUMS and data/README.md"
            print(f"{name}  {digest}  {status}")
    if args.check or not args.rebuild:
        for name in CHECKSUMS:
            _checked_path(name, None)
            print(f"{name}  ok")


if __name__ == "__main__":
    main()
