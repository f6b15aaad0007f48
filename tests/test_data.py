import hashlib
import re
import shutil

import numpy as np
import pytest
import sklearn
import torch
from sklearn import datasets

from chapter5_utils import data

SKLEARN_VERSION = tuple(int(part) for part in re.findall(r"\d+", sklearn.__version__)[:2])


def test_diabetes_matches_scikit_learn_in_original_units():
    table = data.load_diabetes()
    reference = datasets.load_diabetes(scaled=False)
    assert table.X.shape == (442, 10) and table.y.shape == (442,)
    assert table.feature_names == data.DIABETES_FEATURES
    np.testing.assert_array_equal(table.y, reference.target)
    # scikit-learn < 1.8 ships 11 values of s5 with round-off (4.803999999999999 for 4.804);
    # the file holds them rounded to 10 decimals, which is what every version's copy rounds to.
    np.testing.assert_array_equal(table.X, np.round(reference.data, 10))
    np.testing.assert_allclose(table.X, reference.data, rtol=1e-15, atol=0)
    if SKLEARN_VERSION >= (1, 8):
        np.testing.assert_array_equal(table.X, reference.data)


def test_rounding_to_10_decimals_changes_no_value_of_the_source():
    # The source data have at most 4 decimals (s5) and the rebuild rounds to 10: nothing is lost.
    for table in (data.load_diabetes(), data.load_digits()):
        np.testing.assert_array_equal(np.round(table.X, 4), table.X)
        np.testing.assert_array_equal(np.round(table.y, 4), table.y)


def test_digits_matches_scikit_learn():
    table = data.load_digits()
    reference = datasets.load_digits()
    assert table.X.shape == (1797, 64) and table.y.dtype == np.int64
    np.testing.assert_array_equal(table.X, reference.data)
    np.testing.assert_array_equal(table.y, reference.target)
    assert table.target_name == "label"


def test_rebuild_is_deterministic_and_matches_checksums(tmp_path):
    # Byte for byte with every supported scikit-learn (the minimum-versions run checks 1.4.0).
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


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_per_corner=1.5), "n_per_corner must be an int of at least 1, got 1.5"),
        (dict(n_per_corner=True), "n_per_corner must be an int of at least 1, got True"),
        (dict(noise=float("nan")), "noise must be a finite number, got nan"),
        (dict(noise=float("inf")), "noise must be a finite number, got inf"),
        (dict(noise=-1), "noise must be >= 0, got -1"),
        (dict(noise=0.1, seed=-1), r"seed must be a non-negative int below 2\*\*32, got -1"),
        (dict(noise=0.1, seed=1.5), r"seed must be a non-negative int below 2\*\*32, got 1.5"),
    ],
)
def test_make_xor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.make_xor(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=100.0), "n must be an int of at least 2, got 100.0"),
        (dict(slope=float("nan")), "slope must be a finite number, got nan"),
        (dict(intercept=float("inf")), "intercept must be a finite number, got inf"),
        (dict(noise=float("nan")), "noise must be a finite number, got nan"),
        (dict(slope="2"), "slope must be a finite number, got '2'"),
        (dict(seed=-1), r"seed must be a non-negative int below 2\*\*32, got -1"),
    ],
)
def test_make_noisy_line_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.make_noisy_line(**kwargs)


def test_standardize_rejects_non_finite_values():
    with pytest.raises(ValueError, match="train must contain only finite numbers"):
        data.standardize(np.array([[1.0], [np.nan], [3.0]]))
    with pytest.raises(ValueError, match=r"others\[0\] must contain only finite numbers"):
        data.standardize(np.array([[1.0], [3.0]]), np.array([[np.inf]]))


@pytest.mark.parametrize(
    "values, dtype, message",
    [
        ([1.7, -0.2], torch.long, r"arrays\[0\] holds 1.7, which is not a whole number in the range of torch.int64"),
        ([np.nan], torch.long, "holds nan, which is not a whole number"),
        ([1e30], torch.long, "holds 1e\\+30, which is not a whole number"),
        ([300], torch.int8, "holds 300, which is not a whole number in the range of torch.int8"),
        ([-1], torch.uint8, "holds -1, which is not a whole number in the range of torch.uint8"),
        ([0.5], torch.bool, "holds 0.5, which is not a whole number"),
        ([1e300], torch.float32, "holds 1e\\+300, which overflows to infinity as torch.float32"),
    ],
)
def test_as_tensors_refuses_to_change_values(values, dtype, message):
    with pytest.raises(ValueError, match=message):
        data.as_tensors(values, dtype=dtype)


def test_as_tensors_keeps_whole_numbers_and_checks_dtype():
    (labels,) = data.as_tensors([2.0, 3.0], dtype=torch.long)
    assert labels.tolist() == [2, 3]
    (flags,) = data.as_tensors([0, 1], dtype=torch.bool)
    assert flags.tolist() == [False, True]
    (inf,) = data.as_tensors([np.inf])  # infinite in, infinite out: nothing was lost
    assert inf.tolist() == [float("inf")]
    with pytest.raises(TypeError, match="dtype must be a torch.dtype such as torch.float32"):
        data.as_tensors([1.0], dtype="float32")


@pytest.mark.parametrize("load", [data.load_diabetes, data.load_digits])
def test_an_empty_or_non_path_data_dir_is_refused_not_read_as_the_default(load):
    for empty in ("", "  "):
        with pytest.raises(ValueError, match="data_dir must be the path of a folder holding"):
            load(empty)
    with pytest.raises(TypeError, match="data_dir must be the path of a folder holding .* got 123"):
        load(123)
    assert load(str(data.DATA_DIR)).X.shape == load().X.shape


def test_rebuild_refuses_an_empty_folder_name():
    with pytest.raises(ValueError, match="data_dir must be the path of a folder to write the CSV files into"):
        data.rebuild("")


@pytest.mark.parametrize("seed", [np.int64(4), np.int32(4), np.uint32(4)])
def test_synthetic_sets_take_numpy_integers(seed):
    noise = np.float32(0.25)
    for got, want in zip(data.make_xor(np.int64(3), noise, seed), data.make_xor(3, float(noise), 4)):
        assert torch.equal(got, want)
    for got, want in zip(data.make_noisy_line(np.int64(20), np.float64(1.5), 1, 0.3, seed),
                         data.make_noisy_line(20, 1.5, 1.0, 0.3, 4)):
        assert torch.equal(got, want)


def test_synthetic_sets_share_the_one_seed_cap():
    data.make_xor(1, 0.1, 2**32 - 1)
    data.make_noisy_line(5, seed=2**32 - 1)
    for call in (lambda: data.make_xor(1, 0.1, 2**32), lambda: data.make_noisy_line(5, seed=2**32)):
        with pytest.raises(ValueError, match=r"seed must be a non-negative int below 2\*\*32, got 4294967296"):
            call()


def test_standardize_treats_a_column_constant_up_to_round_off_as_scikit_learn_does():
    from sklearn.preprocessing import StandardScaler

    X = np.array([[1.0, 0.0], [1.0 + 1e-15, 1.0], [1.0, 3.0]])
    ours = data.standardize(X)[0]
    np.testing.assert_allclose(ours, StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-15)
    assert np.abs(ours[:, 0]).max() < 1e-14  # round-off is not blown up to values of order 1
