"""train_test_split: shuffle rows and cut every array into a train and a test part."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from ..typing import TensorLike, TensorOrArray
from .seeding import generator_for


def _as_split_input(array):
    """An ndarray view of one ``train_test_split`` argument (Tensors give their data)."""
    if isinstance(array, Tensor):
        return array.data
    return np.asarray(array)


def _test_count(test_size, n):
    """The number of test rows that ``test_size`` asks for out of ``n`` rows."""
    if isinstance(test_size, bool):
        raise TypeError(f"test_size must be a float fraction or an int count, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"a float test_size must be between 0 and 1, got {test_size}")
        n_test = math.ceil(n * test_size)
    else:
        raise TypeError(
            f"test_size must be a float fraction or an int count, got {type(test_size).__name__} {test_size!r}"
        )
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"test_size={test_size!r} gives {n_test} test rows out of {n}; "
            f"both the train and the test part need at least one row"
        )
    return n_test


def train_test_split(
    *arrays: TensorLike, test_size: float | int = 0.25, seed: int | None = None
) -> list[TensorOrArray]:
    """Shuffle rows and split every array the same way, like scikit-learn's.

    Returns ``train_0, test_0, train_1, test_1, ...``. ``test_size`` is a float fraction
    (the test part gets ``ceil(n * test_size)`` rows) or an int count. Arrays may be
    ndarrays, lists or Tensors; Tensors come back as Tensors, the rest as ndarrays.
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    data = [_as_split_input(array) for array in arrays]
    for array in data:
        if array.ndim == 0:
            raise ValueError("train_test_split needs arrays with a first dimension, got a 0-d value")
    lengths = [len(array) for array in data]
    if len(set(lengths)) != 1:
        raise ValueError(f"all arrays must have the same length, got lengths {lengths}")

    n_test = _test_count(test_size, lengths[0])
    order = generator_for(seed).permutation(lengths[0])
    test_rows, train_rows = order[:n_test], order[n_test:]

    parts = []
    for original, array in zip(arrays, data, strict=True):
        for rows in (train_rows, test_rows):
            part = array[rows]
            parts.append(Tensor(part) if isinstance(original, Tensor) else part)
    return parts
