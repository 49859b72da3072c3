"""Matrix multiplication, like ``np.matmul``: 1-D, 2-D and batched N-D operands."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..typing import TensorLike, TensorOrArray
from .shape import expand_dims, squeeze


class MatMul(Function):
    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul needs operands with at least 1 dimension, got shapes {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({a.shape[-1]} columns in the first, {b.shape[-2 if b.ndim > 1 else 0]} rows in the second)"
            )
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


def matmul(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a @ b, like ``np.matmul``."""
    return MatMul()(a, b)


class Linear(Function):
    """x @ wᵀ + b in one op: the layer every MLP is made of, with one graph node instead of three."""

    def forward(self, x, w, b=None):
        if w.ndim != 2 or x.shape[-1:] != w.shape[1:]:
            raise ValueError(
                f"linear: input of shape {x.shape} does not fit weight of shape {w.shape} "
                "(the input's last axis must be in_features = weight.shape[1])"
            )
        out = x @ w.T
        if b is not None:
            out += b
        return out

    def backward(self, g, out, x, w, b=None):
        # d/dx = g @ w,  d/dw = gᵀ @ x (summed over every batch axis),  d/db = Σ g over the batch
        rows = g if g.ndim == 2 else g.reshape(-1, w.shape[0])  # every batch axis flattened into rows
        gx = g @ w if self.needs[0] else None
        gw = rows.T @ (x if x.ndim == 2 else x.reshape(-1, w.shape[1])) if self.needs[1] else None
        if b is None:
            return gx, gw
        return gx, gw, (rows.sum(axis=0) if self.needs[2] else None)


def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> TensorOrArray:
    """x @ weightᵀ + bias, with ``weight`` of shape (out_features, in_features)."""
    return Linear()(x, weight) if bias is None else Linear()(x, weight, bias)
