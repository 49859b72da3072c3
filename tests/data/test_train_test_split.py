"""train_test_split: sizes like scikit-learn's, aligned rows, seeds, validation."""

import math

import numpy as np
import pytest

from minigrad.data import train_test_split
from minigrad.random import manual_seed
from minigrad.tensor import Tensor


def test_returns_train_and_test_for_each_array_in_order():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10) * 100
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)
    assert y_train.shape == (7,) and y_test.shape == (3,)


@pytest.mark.parametrize(
    "n, test_size, n_test",
    [
        (10, 0.25, 3),  # ceil(2.5), as scikit-learn rounds the test part up
        (100, 0.25, 25),
        (7, 0.5, 4),
        (10, 0.01, 1),
        (10, 4, 4),
        (10, 1, 1),
        (10, 9, 9),
    ],
)
def test_test_size_as_fraction_or_count(n, test_size, n_test):
    train, test = train_test_split(np.arange(n), test_size=test_size, seed=0)
    assert len(test) == n_test and len(train) == n - n_test
    assert n_test == (test_size if isinstance(test_size, int) else math.ceil(n * test_size))


def test_every_row_lands_in_exactly_one_part():
    train, test = train_test_split(np.arange(50), test_size=0.3, seed=1)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(50))


def test_rows_stay_aligned_across_arrays():
    X = np.stack([np.arange(40), -np.arange(40)], axis=1)
    y = np.arange(40) * 3
    names = [f"row{i}" for i in range(40)]
    X_train, X_test, y_train, y_test, n_train, n_test = train_test_split(X, y, names, seed=2)
    np.testing.assert_array_equal(X_train[:, 0] * 3, y_train)
    np.testing.assert_array_equal(X_test[:, 0] * 3, y_test)
    np.testing.assert_array_equal(n_test, [f"row{i}" for i in X_test[:, 0]])
    np.testing.assert_array_equal(n_train, [f"row{i}" for i in X_train[:, 0]])


def test_rows_are_shuffled():
    train, _ = train_test_split(np.arange(100), seed=0)
    assert not np.array_equal(train, np.sort(train))


def test_seed_makes_the_split_repeatable():
    a = train_test_split(np.arange(30), seed=4)
    b = train_test_split(np.arange(30), seed=4)
    c = train_test_split(np.arange(30), seed=5)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_seed_none_uses_the_global_generator():
    manual_seed(3)
    a = train_test_split(np.arange(30))
    manual_seed(3)
    b = train_test_split(np.arange(30))
    np.testing.assert_array_equal(a[0], b[0])


def test_tensors_come_back_as_tensors_and_lists_as_arrays():
    X = Tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    X_train, X_test, y_train, y_test = train_test_split(X, [0, 1, 2, 3, 4, 5], seed=0)
    assert isinstance(X_train, Tensor) and isinstance(X_test, Tensor)
    assert X_train.shape == (4, 2) and X_train.data.dtype == np.float32
    assert isinstance(y_train, np.ndarray)
    np.testing.assert_array_equal(X_train.data[:, 0] / 2, y_train)


def test_length_mismatch_names_the_lengths():
    with pytest.raises(ValueError, match=r"\[5, 6\]"):
        train_test_split(np.zeros(5), np.zeros(6))


@pytest.mark.parametrize(
    "test_size, error",
    [
        (0.0, ValueError),
        (1.0, ValueError),
        (1.5, ValueError),
        (-0.2, ValueError),
        (0, ValueError),
        (10, ValueError),
        (11, ValueError),
        (-1, ValueError),
        (True, TypeError),
        ("0.2", TypeError),
        (None, TypeError),
    ],
)
def test_bad_test_size_raises(test_size, error):
    with pytest.raises(error, match="test_size"):
        train_test_split(np.arange(10), test_size=test_size)


def test_no_arrays_or_scalar_raises():
    with pytest.raises(ValueError):
        train_test_split()
    with pytest.raises(ValueError, match="0-d"):
        train_test_split(np.float64(3.0))
