"""Ops that move values without changing them: reshape, transpose, broadcasting, indexing, joining.

Their backward moves the gradient back to where each value came from. None of
them saves values for backward, only shapes and indices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd import Function
from ..tensor import Tensor, as_array
from ..typing import Axis, TensorLike, TensorOrArray
from .axes import normalize_axis


def _shape_arg(shape):
    """``reshape(2, 3)`` and ``reshape((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _as_array_or_tensor(a):
    return a if isinstance(a, (Tensor, np.ndarray)) else as_array(a)


def plain_index(index: Any) -> Any:
    """An index with Tensors as their ndarrays and lists as integer or bool arrays."""
    if isinstance(index, tuple):
        return tuple(plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _may_repeat(index):
    """Can ``index`` pick one element twice? Only integer arrays can."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


class Reshape(Function):
    saves_tensors = False
    makes_view = True

    def __init__(self, shape):
        self.shape = shape

    def forward(self, a):
        return a.reshape(self.shape)

    def backward(self, g, out, a):
        return (g.reshape(a.shape),)  # the same values, so the gradient just takes a's shape back


def reshape(a: TensorLike, *shape: int | Sequence[int]) -> TensorOrArray:
    """The same values in a new shape (ints or one tuple; one entry may be -1)."""
    return Reshape(_shape_arg(shape))(a)


def flatten(a: TensorLike, start_dim: int = 0, end_dim: int = -1) -> TensorOrArray:
    """The axes from ``start_dim`` to ``end_dim`` (all, by default) merged into one, like PyTorch's."""
    a = _as_array_or_tensor(a)
    if a.ndim == 0:
        return Reshape((1,))(a)
    start, end = normalize_axis(start_dim, a.ndim), normalize_axis(end_dim, a.ndim)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {a.shape}")
    return Reshape(a.shape[:start] + (int(np.prod(a.shape[start : end + 1])),) + a.shape[end + 1 :])(a)


def expand_dims(a: TensorLike, axis: int | Sequence[int]) -> TensorOrArray:
    """A new axis of length 1 at ``axis`` (an int or a tuple), like ``np.expand_dims``."""
    a = _as_array_or_tensor(a)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    ndim = a.ndim + len(axes)
    new_axes = {normalize_axis(ax, ndim) for ax in axes}
    rest = iter(a.shape)
    return Reshape(tuple(1 if i in new_axes else next(rest) for i in range(ndim)))(a)


def squeeze(a: TensorLike, axis: Axis = None) -> TensorOrArray:
    """The tensor without its length-1 axes (or just ``axis``, which must have length 1)."""
    a = _as_array_or_tensor(a)
    if axis is None:
        axes = {i for i, n in enumerate(a.shape) if n == 1}
    else:
        axes = {normalize_axis(ax, a.ndim) for ax in ((axis,) if isinstance(axis, (int, np.integer)) else axis)}
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError(f"cannot squeeze axis {ax}: it has length {a.shape[ax]}, not 1 (shape {a.shape})")
    return Reshape(tuple(n for i, n in enumerate(a.shape) if i not in axes))(a)


class Transpose(Function):
    saves_tensors = False
    makes_view = True

    def __init__(self, axes):
        self.axes = axes

    def forward(self, a):
        return np.transpose(a, self.axes)

    def backward(self, g, out, a):
        # the gradient moves back through the inverse permutation
        return (g.transpose(tuple(np.argsort(self.axes))) if self.axes is not None else g.transpose(),)


def transpose(a: TensorLike, *axes: int | Sequence[int]) -> TensorOrArray:
    """The axes permuted by ``axes`` (reversed when none are given), like ``np.transpose``."""
    axes = _shape_arg(axes) if axes else None
    return Transpose(axes)(a)


def swapaxes(a: TensorLike, axis1: int, axis2: int) -> TensorOrArray:
    """The tensor with two axes exchanged."""
    a = _as_array_or_tensor(a)
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return Transpose(tuple(axes))(a)


class BroadcastTo(Function):
    saves_tensors = False
    makes_view = True

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        return np.broadcast_to(a, self.shape)

    def backward(self, g, out, a):
        return (sum_to(g, a.shape),)  # each input value was used at every copy: sum them


def broadcast_to(a: TensorLike, shape: Sequence[int]) -> TensorOrArray:
    """``a`` broadcast to ``shape`` (NumPy's rules); backward sums over the copies."""
    return BroadcastTo(shape)(a)


class SumTo(Function):
    saves_tensors = False

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        extra = a.ndim - len(self.shape)  # leading axes broadcasting added
        axes = tuple(range(extra)) + tuple(
            extra + i for i, n in enumerate(self.shape) if n == 1 and a.shape[extra + i] != 1
        )
        summed = a.sum(axis=axes, keepdims=True) if axes else a
        return summed.reshape(self.shape)

    def backward(self, g, out, a):
        return (broadcast_to(g, a.shape),)  # the adjoint of summing is copying back


def sum_to(a: TensorLike, shape: Sequence[int]) -> TensorOrArray:
    """``a`` summed down to ``shape``: undoes broadcasting (used by backward for every op)."""
    return SumTo(shape)(a)


class GetItem(Function):
    saves_tensors = False
    makes_view = True

    def __init__(self, index):
        self.index = index

    def forward(self, a):
        return a[self.index]

    def backward(self, g, out, a):
        return (scatter_add(g, self.index, a.shape),)  # each picked element gets its gradient back


def getitem(a: TensorLike, index: Any) -> TensorOrArray:
    """``a[index]``: ints, slices, None, ..., integer arrays and boolean masks."""
    return GetItem(plain_index(index))(a)


class ScatterAdd(Function):
    """zeros(shape) with ``g`` added at ``index``: the adjoint of ``a[index]``."""

    saves_tensors = False

    def __init__(self, index, shape):
        self.index, self.shape = index, tuple(shape)

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if _may_repeat(self.index):
            np.add.at(out, self.index, g)  # repeated indices accumulate
        else:
            out[self.index] = g
        return out

    def backward(self, g, out, a):
        return (getitem(g, self.index),)  # the adjoint of scattering is gathering


def scatter_add(g: TensorLike, index: Any, shape: Sequence[int]) -> TensorOrArray:
    """An array of zeros of ``shape`` with ``g`` added at ``index`` (repeats accumulate)."""
    return ScatterAdd(plain_index(index), shape)(g)


class Concatenate(Function):
    saves_tensors = False

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *arrays):
        self.axis = normalize_axis(self.axis, arrays[0].ndim)
        self.ends = np.cumsum([a.shape[self.axis] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, g, out, *inputs):
        # each input gets back its own slice of the gradient
        before = (slice(None),) * self.axis
        starts = [0] + self.ends[:-1]
        return tuple(g[before + (slice(start, end),)] for start, end in zip(starts, self.ends))


def concatenate(tensors: Sequence[TensorLike], axis: int = 0) -> TensorOrArray:
    """The tensors joined along an existing axis."""
    if len(tensors) == 0:
        raise ValueError("concatenate needs at least one tensor")
    return Concatenate(axis)(*tensors)


class Stack(Function):
    saves_tensors = False

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *arrays):
        self.axis = normalize_axis(self.axis, arrays[0].ndim + 1)
        return np.stack(arrays, axis=self.axis)

    def backward(self, g, out, *inputs):
        before = (slice(None),) * self.axis
        return tuple(g[before + (i,)] for i in range(len(inputs)))  # input i is slice i of the stack


def stack(tensors: Sequence[TensorLike], axis: int = 0) -> TensorOrArray:
    """The tensors (all of one shape) stacked along a new axis."""
    if len(tensors) == 0:
        raise ValueError("stack needs at least one tensor")
    return Stack(axis)(*tensors)
