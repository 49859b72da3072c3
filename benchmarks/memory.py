"""Peak traced memory (tracemalloc) of one mlp_step, minigrad against the hand-written NumPy step."""

import gc
import tracemalloc

from mlp_step import steps as mlp_steps


def peak_bytes(fn):
    """The peak of memory allocated during one call of ``fn``, above what was in use before."""
    fn()  # warm up: lazily made buffers (optimizer state) are not what we measure
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before


def peaks():
    found = mlp_steps((784, 256, 256, 10), 128)
    return {name: peak_bytes(fn) for name, fn in found.items() if name != "torch"}
