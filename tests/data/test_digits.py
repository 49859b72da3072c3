"""load_digits: the shipped UCI digits, checked against known values."""

import hashlib
from pathlib import Path

import numpy as np

import minigrad.data
from minigrad.data import load_digits

DATA_DIR = Path(minigrad.data.__file__).parent


def test_shape_and_dtype():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64


def test_class_counts():
    _, y = load_digits()
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_pixels_are_raw_counts_from_0_to_16():
    X, _ = load_digits()
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))


def test_known_rows():
    X, y = load_digits()
    # The first image, a zero, row by row as scikit-learn's digits.csv.gz stores it.
    np.testing.assert_array_equal(
        X[0].reshape(8, 8),
        [
            [0, 0, 5, 13, 9, 1, 0, 0],
            [0, 0, 13, 15, 10, 15, 5, 0],
            [0, 3, 15, 2, 0, 11, 8, 0],
            [0, 4, 12, 0, 0, 8, 8, 0],
            [0, 5, 8, 0, 0, 9, 8, 0],
            [0, 4, 11, 0, 1, 12, 7, 0],
            [0, 2, 14, 5, 10, 12, 0, 0],
            [0, 0, 6, 13, 10, 0, 0, 0],
        ],
    )
    np.testing.assert_array_equal(y[:10], np.arange(10))
    np.testing.assert_array_equal(X[1][:8], [0, 0, 0, 12, 13, 5, 0, 0])
    np.testing.assert_array_equal(X[-1][:8], [0, 0, 10, 14, 8, 1, 0, 0])
    assert y[-1] == 8


def test_every_call_returns_fresh_arrays():
    X, y = load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0 and y2.min() == 0


def test_shipped_file_is_scikit_learns_copy_and_has_a_licence_note():
    digest = hashlib.sha256((DATA_DIR / "digits.csv.gz").read_bytes()).hexdigest()
    assert digest == "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    note = (DATA_DIR / "DATA_LICENSE.txt").read_text()
    assert "CC BY 4.0" in note and "Alpaydin" in note
