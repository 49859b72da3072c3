"""Op-table cases for pooling: GatherFlat (max pooling) and ScatterFlat (its gradient), small shapes."""

import numpy as np

import minigrad.nn.functional as F
from minigrad.ops.pool import ScatterFlat

from . import rng


def distinct(*shape):
    """Values a few tenths apart, so no window has a near-tie that finite differences would cross."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1


FLAT_INDEX = np.array([[0, 5, 5], [2, 7, 0]])  # repeats accumulate

CASES = {
    "GatherFlat": [
        (lambda x: F.max_pool2d(x, 2), (distinct(2, 2, 4, 5),)),
        (lambda x: F.max_pool2d(x, (3, 2), stride=(1, 2), padding=1), (distinct(1, 2, 4, 5),)),  # overlapping
        (lambda x: F.max_pool1d(x, 3, stride=2, padding=1), (distinct(2, 7),)),
        (lambda x: F.avg_pool2d(F.max_pool2d(x, 2, 1), 2, 1), (distinct(1, 1, 4, 4),)),
    ],
    "ScatterFlat": [
        (lambda g: ScatterFlat(FLAT_INDEX, (2, 4), unique=False)(g), (rng.standard_normal((2, 3)),)),
        (lambda g: ScatterFlat(np.array([3, 0, 6]), (7,), unique=True)(g), (rng.standard_normal(3),)),
    ],
}
