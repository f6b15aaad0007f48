import hashlib
import re
import shutil

import numpy as np
import pytest
import torch
from sklearn import datasets

from chapter5_utils import data


def test_diabetes_matches_scikit_learn_in_original_units():
    table = data.load_diabetes()
    reference = datasets.load_diabetes(scaled=False)
    assert table.X.shape == (442, 10) and table.y.shape == (442,)
    assert table.feature_names == data.DIABETES_FEATURES
    np.testing.assert_array_equal(table.X, reference.data)
    np.testing.assert_array_equal(table.y, reference.target)


def test_digits_matches_scikit_learn():
    table = data.load_digits()
    reference = datasets.load_digits()
    assert table.X.shape == (1797, 64) and table.y.dtype == np.int64
    np.testing.assert_array_equal(table.X, reference.data)
    np.testing.assert_array_equal(table.y, reference.target)
    assert table.target_name == "label"


def test_rebuild_is_deterministic_and_matches_checksums(tmp_path):
    digests = data.rebuild(tmp_path)
    assert digests == data.CHECKSUMS
    for name in data.CHECKSUMS:
        assert (tmp_path / name).read_bytes() == (data.DATA_DIR / name).read_bytes()


def test_data_card_lists_the_checksums_and_row_counts(root):
    card = (root / "data" / "README.md").read_text(encoding="utf-8")
    for name, digest in data.CHECKSUMS.items():
        assert digest == hashlib.sha256((root / "data" / name).read_bytes()).hexdigest()
        assert re.search(rf"{re.escape(name)}.*{digest}", card), f"{name}'s SHA-256 missing from the data card"
    assert "442" in card and "1797" in card


def test_missing_file_names_the_file_and_the_rebuild_command(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"diabetes\.csv.*python -m chapter5_utils\.data --rebuild"):
        data.load_diabetes(tmp_path)


def test_altered_file_is_refused(tmp_path):
    shutil.copy(data.DATA_DIR / "digits.csv", tmp_path / "digits.csv")
    with (tmp_path / "digits.csv").open("a") as f:
        f.write("0," * 64 + "3\n")
    with pytest.raises(ValueError, match=r"digits\.csv.*altered.*--rebuild"):
        data.load_digits(tmp_path)


def test_xor_truth_table_and_noise_is_seeded():
    X, y = data.make_xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    a, _ = data.make_xor(n_per_corner=5, noise=0.1, seed=3)
    b, _ = data.make_xor(n_per_corner=5, noise=0.1, seed=3)
    c, _ = data.make_xor(n_per_corner=5, noise=0.1, seed=4)
    assert a.shape == (20, 2) and torch.equal(a, b) and not torch.equal(a, c)


def test_noisy_line_follows_its_line():
    x, y = data.make_noisy_line(n=2000, slope=-1.5, intercept=0.5, noise=0.1, seed=1)
    assert x.shape == (2000, 1) and y.shape == (2000, 1)
    assert x.min() >= -2 and x.max() <= 2
    residual = y - (-1.5 * x + 0.5)
    assert abs(residual.mean().item()) < 0.01 and abs(residual.std().item() - 0.1) < 0.01
    assert torch.equal(data.make_noisy_line(seed=7)[1], data.make_noisy_line(seed=7)[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_per_corner": 0}, "n_per_corner"), ({"noise": -1.0}, "noise")],
)
def test_xor_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.make_xor(**kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [({"n": 1}, "n must"), ({"noise": -0.1}, "noise")])
def test_noisy_line_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.make_noisy_line(**kwargs)


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train, test = rng.normal(5, 3, (50, 4)), rng.normal(-5, 1, (20, 4))
    train_s, test_s = data.standardize(train, test)
    np.testing.assert_allclose(train_s.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train_s.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(test_s, (test - train.mean(0)) / train.std(0))


def test_standardize_keeps_constant_columns_finite_and_rejects_bad_shapes():
    train = np.ones((5, 2))
    assert np.isfinite(data.standardize(train)[0]).all()
    with pytest.raises(ValueError, match="train must be a 2-D array"):
        data.standardize(np.ones(5))
    with pytest.raises(ValueError, match=r"others\[0\] must have shape \(m, 2\)"):
        data.standardize(train, np.ones((3, 3)))


def test_as_tensors_converts_with_dtype():
    X, y = data.as_tensors(np.ones((2, 3)), np.arange(2), dtype=torch.float64)
    assert X.dtype == torch.float64 and y.tolist() == [0.0, 1.0]
    (labels,) = data.as_tensors(np.arange(3), dtype=torch.long)
    assert labels.dtype == torch.long


def test_command_line_check_passes(capsys):
    data.main(["--check"])
    assert capsys.readouterr().out.count("ok") == 2
