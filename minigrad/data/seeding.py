"""Where the data package gets its random numbers from."""

from __future__ import annotations

import numpy as np

from ..random import get_generator


def generator_for(seed: int | None) -> np.random.Generator:
    """A new generator seeded with ``seed``, or minigrad's global one when ``seed`` is None.

    The global generator is looked up on every call, so ``mg.manual_seed`` (which replaces
    it) takes effect for everything drawn afterwards.
    """
    if seed is None:
        return get_generator()
    return np.random.default_rng(seed)
