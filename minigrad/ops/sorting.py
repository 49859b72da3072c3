"""Sorting: sort, argsort and topk along one axis.

The order is found on the values with NumPy's stable sort (ties keep their order, in
descending sorts too); the sorted values are then picked with ``take_along_axis``, so
their gradient goes back to the element each came from. Indices are int64 constants.
"""

from __future__ import annotations

import operator

import numpy as np

from ..tensor import Tensor, to_array
from ..typing import TensorLike, TensorOrArray
from .axes import accepts_dim, normalize_axis
from .rearrange import take_along_axis
from .shape import reshape


def _stable_order(values, axis, descending):
    """The indices that sort ``values`` along ``axis``; equal values keep their order either way."""
    if not descending:
        return np.argsort(values, axis=axis, kind="stable")
    # sort the reversed values ascending, then reverse back: ties stay first-come-first
    reversed_order = np.argsort(np.flip(values, axis), axis=axis, kind="stable")
    return values.shape[axis] - 1 - np.flip(reversed_order, axis)


def _as_result(x, indices):
    """Indices as an int64 Tensor with no gradient when ``x`` is a Tensor, else as an ndarray."""
    indices = indices.astype(np.int64, copy=False)
    return Tensor._from_op(indices) if isinstance(x, Tensor) else indices


@accepts_dim
def argsort(x: TensorLike, axis: int = -1, descending: bool = False) -> TensorOrArray:
    """The int64 indices that sort ``x`` along ``axis`` (a stable sort: ties keep their order)."""
    values = to_array(x)
    axis = normalize_axis(axis, values.ndim)
    if values.ndim == 0:
        return _as_result(x, np.zeros((), dtype=np.int64))
    return _as_result(x, _stable_order(values, axis, descending))


@accepts_dim
def sort(x: TensorLike, axis: int = -1, descending: bool = False) -> tuple[TensorOrArray, TensorOrArray]:
    """``(values, indices)``: ``x`` sorted along ``axis`` (stable) and where each value came from.

    The values are differentiable; the indices are int64 with no gradient.
    """
    indices = argsort(x, axis, descending)
    if to_array(x).ndim == 0:
        return reshape(x, ()), indices
    return take_along_axis(x, indices, axis), indices


@accepts_dim
def topk(x: TensorLike, k: int, axis: int = -1, largest: bool = True) -> tuple[TensorOrArray, TensorOrArray]:
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``axis``, in sorted order.

    Ties are taken in the order they appear. ``k`` must be between 0 and the axis length.
    """
    values = to_array(x)
    axis = normalize_axis(axis, values.ndim)
    length = values.shape[axis] if values.ndim else 1
    k = operator.index(k)
    if not 0 <= k <= length:
        raise ValueError(f"topk: k={k} is out of range for axis {axis} of length {length} (shape {values.shape})")
    if values.ndim == 0:
        return reshape(x, ()), _as_result(x, np.zeros((), dtype=np.int64))
    picked = np.take(_stable_order(values, axis, descending=largest), np.arange(k), axis=axis)
    indices = _as_result(x, picked)
    return take_along_axis(x, indices, axis), indices
