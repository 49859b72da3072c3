"""Ops that rearrange values: pad, flip, roll, take_along_axis, repeat, tile, tril, triu, split, masked_fill.

Most are compositions of indexing, reshape, broadcast_to and where, whose backward already
moves each gradient back to where its value came from (repeated indices accumulate).
Only constant padding and roll are Functions of their own.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from ..autograd import Function
from ..tensor import to_array
from ..typing import Axis, TensorLike, TensorOrArray
from .axes import accepts_dim, normalize_axes, normalize_axis
from .elementwise import where
from .shape import broadcast_to, expand_dims, getitem, reshape


class Pad(Function):
    saves_tensors = False

    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, a):
        return np.pad(a, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g, out, a):
        # the padding is a constant: each input element's gradient is g at its place in the middle
        return (
            getitem(g, tuple(slice(before, before + n) for (before, _), n in zip(self.widths, a.shape, strict=True))),
        )


def pad(
    x: TensorLike,
    pad_width: int | Sequence[int] | Sequence[Sequence[int]],
    mode: str = "constant",
    constant_values: float = 0,
) -> TensorOrArray:
    """``x`` padded like ``np.pad``: ``pad_width`` an int, ``(before, after)`` or one such pair per axis.

    ``mode`` is ``"constant"`` (with ``constant_values``), ``"reflect"`` (mirrored, the edge
    not repeated) or ``"edge"`` (the edge value repeated). The gradient of a reflected or
    repeated element adds up over all of its copies.
    """
    shape = to_array(x).shape
    widths = _pad_widths(pad_width, len(shape))
    if mode not in ("constant", "reflect", "edge"):
        raise ValueError(f"pad: mode {mode!r} is not supported; use 'constant', 'reflect' or 'edge'")
    if not shape:
        return reshape(x, ())  # a 0-d tensor has no axis to pad, as in np.pad
    if mode == "constant":
        return Pad(widths, to_array(constant_values))(x)
    # every output element is a copy of an input element: np.pad on the positions says which one
    sources = [np.pad(np.arange(n), width, mode=mode) for n, width in zip(shape, widths, strict=True)]
    return getitem(x, np.ix_(*sources))


def _pad_widths(pad_width, ndim):
    """``pad_width`` as one (before, after) pair of non-negative ints per axis, like np.pad reads it."""
    try:
        widths = np.asarray(pad_width)
        if widths.size == 0:
            widths = widths.astype(np.int64)
        widths = np.broadcast_to(widths, (ndim, 2))
    except ValueError:
        widths = None
    if widths is None or widths.dtype.kind not in "iu":
        raise ValueError(
            f"pad_width {pad_width!r} does not fit a tensor with {ndim} dimensions: give an int, "
            f"one (before, after) pair, or {ndim} (before, after) pairs of integers"
        )
    if (widths < 0).any():
        raise ValueError(f"pad_width {pad_width!r} has a negative width")
    return tuple((int(before), int(after)) for before, after in widths)


@accepts_dim
def flip(x: TensorLike, axis: Axis = None) -> TensorOrArray:
    """``x`` with the order of its elements reversed along ``axis`` (an int, a tuple, or None for all)."""
    ndim = to_array(x).ndim
    axes = normalize_axes(axis, ndim)
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim)))


class Roll(Function):
    saves_tensors = False

    def __init__(self, shift, axis):
        self.shift, self.axis = shift, axis

    def forward(self, a):
        return np.roll(a, self.shift, self.axis)

    def backward(self, g, out, a):
        return (Roll(np.negative(self.shift), self.axis)(g),)  # rolling back moves each gradient home


@accepts_dim
def roll(x: TensorLike, shift: int | Sequence[int], axis: Axis = None) -> TensorOrArray:
    """``x`` shifted cyclically by ``shift`` along ``axis`` (flattened when None), like ``np.roll``."""
    if axis is not None:
        ndim = to_array(x).ndim
        axis = tuple(normalize_axis(ax, ndim) for ax in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    return Roll(shift, axis)(x)


@accepts_dim
def take_along_axis(x: TensorLike, indices: TensorLike, axis: int) -> TensorOrArray:
    """The elements of ``x`` at ``indices`` along ``axis``, like ``np.take_along_axis`` (PyTorch's gather).

    ``indices`` has ``x``'s number of dimensions and broadcasts against it on the other
    axes. The gradient of an element picked twice adds up.
    """
    index = to_array(indices)
    if index.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis: indices must be integers, got dtype {index.dtype}")
    if axis is None:
        x, axis = reshape(x, -1), 0
    shape = to_array(x).shape
    if index.ndim != len(shape) or not shape:
        raise ValueError(
            f"take_along_axis: indices of shape {index.shape} need the {len(shape)} dimensions of x "
            f"(shape {shape}), and x needs at least one"
        )
    axis = normalize_axis(axis, len(shape))
    others = [np.arange(n).reshape((-1,) + (1,) * (len(shape) - 1 - d)) for d, n in enumerate(shape)]
    try:
        np.broadcast_shapes(*(o.shape for i, o in enumerate(others) if i != axis), index.shape)
    except ValueError:
        raise ValueError(
            f"take_along_axis: indices of shape {index.shape} do not broadcast with x of shape {shape}"
        ) from None
    others[axis] = index
    return getitem(x, tuple(others))


@accepts_dim
def repeat(x: TensorLike, repeats: int | Sequence[int], axis: int | None = None) -> TensorOrArray:
    """Each element repeated ``repeats`` times along ``axis`` (flattened when None), like ``np.repeat``.

    ``repeats`` is an int or one count per element along the axis. The gradient of an
    element is the sum over its copies.
    """
    if axis is None:
        x, axis = reshape(x, -1), 0
    shape = to_array(x).shape
    if not shape:
        x, shape = reshape(x, 1), (1,)
    axis = normalize_axis(axis, len(shape))
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts < 0).any() or counts.ndim > 1:
        raise ValueError(f"repeat: repeats must be a non-negative int or a 1-D list of them, got {repeats!r}")
    if counts.ndim == 0:  # every element the same number of times: a broadcast, summed back in backward
        copies = shape[: axis + 1] + (int(counts),) + shape[axis + 1 :]
        joined = shape[:axis] + (shape[axis] * int(counts),) + shape[axis + 1 :]
        return reshape(broadcast_to(expand_dims(x, axis + 1), copies), joined)
    if len(counts) != shape[axis]:
        raise ValueError(f"repeat: {len(counts)} repeats for axis {axis} of length {shape[axis]} (shape {shape})")
    return getitem(x, (slice(None),) * axis + (np.repeat(np.arange(shape[axis]), counts),))


def tile(x: TensorLike, reps: int | Sequence[int]) -> TensorOrArray:
    """``x`` repeated ``reps`` times along each axis, like ``np.tile`` (reps an int or a tuple)."""
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    if any(operator.index(r) < 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative, got {reps}")
    shape = to_array(x).shape
    ndim = max(len(reps), len(shape))
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - len(shape)) + shape
    # (n0, n1) -> (1, n0, 1, n1) -> broadcast to (r0, n0, r1, n1) -> (r0·n0, r1·n1)
    spread = tuple(size for n in shape for size in (1, n))
    copies = tuple(size for r, n in zip(reps, shape, strict=True) for size in (r, n))
    return reshape(broadcast_to(reshape(x, spread), copies), tuple(r * n for r, n in zip(reps, shape, strict=True)))


def tril(x: TensorLike, k: int = 0) -> TensorOrArray:
    """The lower triangle of the last two axes (on and below diagonal ``k``), zeros above; batched."""
    return _triangle(x, k, lower=True)


def triu(x: TensorLike, k: int = 0) -> TensorOrArray:
    """The upper triangle of the last two axes (on and above diagonal ``k``), zeros below; batched."""
    return _triangle(x, k, lower=False)


def _triangle(x, k, lower):
    values = to_array(x)
    if values.ndim < 2:
        raise ValueError(f"{'tril' if lower else 'triu'} needs at least 2 dimensions, got shape {values.shape}")
    rows, cols = values.shape[-2:]
    keep = np.tri(rows, cols, k, dtype=bool) if lower else ~np.tri(rows, cols, k - 1, dtype=bool)
    return where(keep, x, np.zeros((), dtype=values.dtype))


@accepts_dim
def split(x: TensorLike, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[TensorOrArray]:
    """``x`` cut along ``axis`` into a list of tensors, like ``np.split``.

    An int n cuts it into n equal parts (a ValueError if the length is not divisible);
    a list of indices cuts it at those positions.
    """
    shape = to_array(x).shape
    if not shape:
        raise ValueError("split needs a tensor with at least one dimension, got a 0-d one")
    axis = normalize_axis(axis, len(shape))
    length = shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0 or length % sections:
            raise ValueError(f"split: axis {axis} of length {length} cannot be cut into {sections} equal parts")
        cuts = [length // sections * i for i in range(1, sections)]
    else:
        cuts = [operator.index(c) for c in indices_or_sections]
    bounds = zip([0] + cuts, cuts + [length], strict=True)
    return [getitem(x, (slice(None),) * axis + (slice(start, stop),)) for start, stop in bounds]


def masked_fill(x: TensorLike, mask: TensorLike, value: TensorLike) -> TensorOrArray:
    """``x`` with ``value`` where the bool ``mask`` (broadcastable to x's shape) is True; the gradient there is 0."""
    mask, values = to_array(mask), to_array(x)
    if mask.dtype != bool:
        raise TypeError(f"masked_fill: mask must be bool, got dtype {mask.dtype}")
    try:
        fits = np.broadcast_shapes(mask.shape, values.shape) == values.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: mask of shape {mask.shape} does not broadcast to x's shape {values.shape}")
    if isinstance(value, (int, float, bool, np.generic)):
        value = np.asarray(value, dtype=values.dtype)  # the fill takes x's dtype, like PyTorch
    return where(mask, value, x)
