"""Shared by the optimizer tests: a parameter from values, and a few steps with given gradients."""

import numpy as np

from minigrad.tensor import Tensor


def param(values, dtype=np.float64):
    """A leaf Tensor that requires grad, like a model parameter."""
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def run(optimizer_factory, w0, grads):
    """Make a parameter from ``w0``, step the optimizer once per gradient; return both."""
    p = param(w0)
    opt = optimizer_factory([p])
    for g in grads:
        p.grad = g.copy()
        opt.step()
    return p, opt
