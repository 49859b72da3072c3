"""The one global random generator behind randn, rand, parameter init, dropout and shuffling."""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed the global generator, so every random draw in minigrad repeats exactly."""
    global _generator
    _generator = np.random.default_rng(seed)


def get_generator():
    """The global ``np.random.Generator``; draw from it, never keep a copy of it."""
    return _generator
