"""Per-op overhead: a chain of 1,000 small elementwise ops (alternating * and +), forward + backward.

The NumPy baseline is the same chain by hand: the forward ops, then the backward
multiplies (the adds pass the gradient through), so the ratio shows what the
engine's bookkeeping costs on top of NumPy's own per-call cost.
"""

import numpy as np

import minigrad as mg

OPS = 1000
SIZE = 16


def chain(x, ops, factor=1.0001, shift=0.0001):
    """ops/2 multiplies and ops/2 adds; the same code for minigrad, NumPy and PyTorch values."""
    y = x
    for _ in range(ops // 2):
        y = y * factor
        y = y + shift
    return y


def with_backward(x, ops):
    """A runner: the chain forward, then backward into ``x.grad`` (cleared for the next run)."""

    def run():
        chain(x, ops).sum().backward()
        x.grad = None

    return run


def numpy_chain(ops=OPS):
    x = np.ones(SIZE, dtype=np.float32)

    def run():
        chain(x, ops)
        grad = np.ones(SIZE, dtype=np.float32)
        for _ in range(ops // 2):
            grad = grad * 1.0001  # d(y*c)/dy = c; the adds pass grad through unchanged
        return grad

    return run


def steps(torch=None):
    found = {
        "minigrad": with_backward(mg.tensor(np.ones(SIZE, dtype=np.float32), requires_grad=True), OPS),
        "numpy": numpy_chain(),
    }
    if torch is not None:
        found["torch"] = with_backward(torch.ones(SIZE, requires_grad=True), OPS)
    return found
