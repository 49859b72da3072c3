"""Per-op overhead: a chain of 1,000 small elementwise ops (alternating * and +), forward + backward.

The NumPy baseline is the same chain by hand: the forward ops, then the backward
multiplies (the adds pass the gradient through), so the ratio shows what the
engine's bookkeeping costs on top of NumPy's own per-call cost.
"""

import numpy as np

import minigrad as mg

OPS = 1000
SIZE = 16


def minigrad_chain(ops=OPS):
    x = mg.tensor(np.ones(SIZE, dtype=np.float32), requires_grad=True)

    def run():
        y = x
        for _ in range(ops // 2):
            y = y * 1.0001
            y = y + 0.0001
        y.sum().backward()
        x.grad = None
    return run


def numpy_chain(ops=OPS):
    x = np.ones(SIZE, dtype=np.float32)

    def run():
        y = x
        for _ in range(ops // 2):
            y = y * 1.0001
            y = y + 0.0001
        grad = np.ones_like(y)
        for _ in range(ops // 2):
            grad = grad * 1.0001  # d(y*c)/dy = c; the adds pass grad through unchanged
        return grad
    return run


def torch_chain(torch, ops=OPS):
    x = torch.ones(SIZE, requires_grad=True)

    def run():
        y = x
        for _ in range(ops // 2):
            y = y * 1.0001
            y = y + 0.0001
        y.sum().backward()
        x.grad = None
    return run


def steps(torch=None):
    found = {"minigrad": minigrad_chain(), "numpy": numpy_chain()}
    if torch is not None:
        found["torch"] = torch_chain(torch)
    return found
