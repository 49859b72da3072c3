"""Matrix multiplication, like ``np.matmul``: 1-D, 2-D and batched N-D operands."""

import numpy as np

from ..autograd import Function
from .shape import expand_dims, squeeze


class MatMul(Function):
    def forward(self, a, b):
        return np.matmul(a, b)

    def backward(self, g, out, a, b):
        # out = a @ b:  d/da = g @ bᵀ,  d/db = aᵀ @ g.
        # A 1-D a is a row (1, n) and a 1-D b a column (n, 1); batch axes that were
        # broadcast are summed back by the engine.
        if a.ndim == 1 and b.ndim == 1:
            return g * b, g * a  # a dot product: d(a·b)/da = b
        a2 = expand_dims(a, 0) if a.ndim == 1 else a
        b2 = expand_dims(b, 1) if b.ndim == 1 else b
        g2 = expand_dims(g, -2) if a.ndim == 1 else expand_dims(g, -1) if b.ndim == 1 else g
        ga = gb = None
        if self.needs[0]:
            ga = g2 @ b2.swapaxes(-1, -2)
            ga = squeeze(ga, -2) if a.ndim == 1 else ga
        if self.needs[1]:
            gb = a2.swapaxes(-1, -2) @ g2
            gb = squeeze(gb, -1) if b.ndim == 1 else gb
        return ga, gb


def matmul(a, b):
    """a @ b, like ``np.matmul``."""
    return MatMul()(a, b)
