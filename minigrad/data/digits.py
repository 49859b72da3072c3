"""load_digits: the 1,797 8x8 handwritten digits that ship inside minigrad."""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.csv.gz"
N_DIGITS = 1797
N_PIXELS = 64


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical handwritten digits: ``(X float32 (1797, 64), y int64 (1797,))``.

    Each row of ``X`` is an 8x8 image read row by row (``X.reshape(-1, 8, 8)`` gives the
    images); each pixel counts the inked pixels in a 4x4 block of the 32x32 original, so
    the values are whole numbers from 0 to 16, not scaled. ``y`` holds the digit, 0..9.
    These are the same values scikit-learn's ``load_digits`` returns; see
    DATA_LICENSE.txt beside this file for their origin and licence (CC BY 4.0).
    Every call reads the file again and returns new arrays, free to modify.
    """
    with resources.files(__package__).joinpath(DIGITS_FILE).open("rb") as raw:
        with gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.float32)
    if table.shape != (N_DIGITS, N_PIXELS + 1):
        raise RuntimeError(
            f"{DIGITS_FILE} in minigrad's install should hold a table of "
            f"shape {(N_DIGITS, N_PIXELS + 1)}, found {table.shape}; "
            "reinstall minigrad"
        )
    X = np.ascontiguousarray(table[:, :N_PIXELS])
    y = table[:, N_PIXELS].astype(np.int64)
    return X, y
