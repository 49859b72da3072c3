"""The fused cross-entropy keeps at most two arrays of the logits' size alive (a deterministic count, not a timing)."""

import tracemalloc

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F


def test_forward_and_backward_allocate_at_most_two_logit_sized_arrays():
    rng = np.random.default_rng(0)
    logits = mg.tensor(rng.standard_normal((512, 1000)).astype(np.float32), requires_grad=True)
    labels = rng.integers(0, 1000, 512)
    F.cross_entropy(logits, labels).backward()  # warm up lazily made objects
    logits.grad = None
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert logits.grad.dtype == np.float32 and loss.dtype == np.float32
    assert peak - before <= 2 * logits.data.nbytes + 64 * 1024, f"peak {peak - before} bytes"
