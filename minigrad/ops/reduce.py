"""Reductions and the softmax family: sum, mean, max, min, logsumexp, softmax, log_softmax.

A reduction's backward spreads the output gradient back over the reduced axes: it puts
the reduced axes back as length 1 (``kept``), then broadcasts. Every function takes
NumPy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor, as_float, to_array
from ..typing import Axis, TensorLike, TensorOrArray
from .axes import accepts_dim, normalize_axes
from .elementwise import exp
from .shape import broadcast_to


class _Reduction(Function):
    """A reduction over ``axis``; remembers the shape the output has with the axes kept."""

    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def kept(self, g):
        """The output gradient with the reduced axes back in place, as length 1."""
        return g if self.keepdims else g.reshape(self.kept_shape)

    def remember_shapes(self, a):
        """Check the axes once and remember them as NumPy takes them (None on a 0-d array)."""
        axes = normalize_axes(self.axis, a.ndim)
        self.kept_shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
        self.axis = axes if a.ndim else None  # a 0-d array reduces over "axis 0" to itself


def max_shift(a: np.ndarray, axis: Axis) -> np.ndarray:
    """The max of ``a`` along ``axis``, kept as length 1 (0 where it is not finite, as for all -inf).

    The one subtract-the-max trick of logsumexp, softmax, log_softmax and the fused losses:
    exp(a - max_shift(a)) never overflows.
    """
    shift = np.max(a, axis=axis, keepdims=True)
    return np.where(np.isfinite(shift), shift, 0)


class Sum(_Reduction):
    saves_tensors = False

    def forward(self, a):
        self.remember_shapes(a)
        return a.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, out, a):
        return (broadcast_to(self.kept(g), a.shape),)  # d(Σa)/da_i = 1


@accepts_dim
def sum(a: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """The sum over ``axis`` (all axes when None)."""
    return Sum(axis, keepdims)(a)


class Mean(_Reduction):
    saves_tensors = False

    def forward(self, a):
        self.remember_shapes(a)
        outputs = int(np.prod(self.kept_shape))
        self.count = a.size // outputs if outputs else 0  # how many elements each mean averages
        return as_float(a).mean(axis=self.axis, keepdims=self.keepdims)  # the mean of integers is a float32

    def backward(self, g, out, a):
        return (broadcast_to(self.kept(g) / self.count, a.shape),)  # d(mean a)/da_i = 1/n


@accepts_dim
def mean(a: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """The mean over ``axis`` (all axes when None)."""
    return Mean(axis, keepdims)(a)


class _Extreme(_Reduction):
    """max or min: ties share the gradient equally (like PyTorch's amax/amin)."""

    def forward(self, a):
        self.remember_shapes(a)
        if a.size == 0:
            raise ValueError(f"{self.name.lower()}() of an empty tensor of shape {a.shape} has no value")
        return self.numpy_fn(a, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # d max(a)/da_i = 1/k for each of the k elements equal to the max, else 0
        hits = to_array(a) == self.kept(to_array(out))
        share = hits / hits.sum(axis=self.axis, keepdims=True)
        return (self.kept(g) * share.astype(g.dtype),)


class Max(_Extreme):
    numpy_fn = staticmethod(np.max)


@accepts_dim
def max(a: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """The largest value over ``axis``; tied maxima share the gradient equally."""
    return Max(axis, keepdims)(a)


class Min(_Extreme):
    numpy_fn = staticmethod(np.min)


@accepts_dim
def min(a: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """The smallest value over ``axis``; tied minima share the gradient equally."""
    return Min(axis, keepdims)(a)


class LogSumExp(_Reduction):
    def forward(self, a):
        self.remember_shapes(a)
        a = as_float(a)
        shift = max_shift(a, self.axis)
        with np.errstate(divide="ignore"):  # log 0 = -inf is the right answer for all -inf
            out = np.log(np.exp(a - shift).sum(axis=self.axis, keepdims=True)) + shift
        return out if self.keepdims else np.squeeze(out, axis=self.axis)

    def backward(self, g, out, a):
        return (self.kept(g) * exp(a - self.kept(out)),)  # d logΣe^a / da_i = softmax(a)_i


@accepts_dim
def logsumexp(a: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """log(Σ exp(a)) over ``axis``, computed with the max subtracted so it never overflows."""
    return LogSumExp(axis, keepdims)(a)


class Softmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        a = as_float(a)
        e = np.exp(a - max_shift(a, self.axis))
        e /= e.sum(axis=self.axis, keepdims=True)
        return e

    def backward(self, g, out, a):
        # d softmax_i / da_j = s_i (δ_ij - s_j), so the VJP is s * (g - Σ g·s)
        return (out * (g - (g * out).sum(axis=self.axis, keepdims=True)),)


@accepts_dim
def softmax(a: TensorLike, axis: int = -1) -> TensorOrArray:
    """exp(a) / Σ exp(a) along ``axis``, computed stably."""
    return Softmax(axis)(a)


class LogSoftmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        a = as_float(a)
        shifted = a - max_shift(a, self.axis)
        shifted -= np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        return shifted

    def backward(self, g, out, a):
        # d log_softmax_i / da_j = δ_ij - s_j, so the VJP is g - s·Σg
        return (g - exp(out) * g.sum(axis=self.axis, keepdims=True),)


@accepts_dim
def log_softmax(a: TensorLike, axis: int = -1) -> TensorOrArray:
    """a - logsumexp(a) along ``axis``: the log of softmax without computing log(softmax)."""
    return LogSoftmax(axis)(a)


# --- not differentiable: where the extreme is -------------------------------------------


def _index_of(numpy_fn, a, axis, keepdims):
    values = to_array(a)
    if axis is not None:
        (axis,) = normalize_axes(axis, values.ndim) if values.ndim else (None,)
    result = np.asarray(numpy_fn(values, axis=axis, keepdims=keepdims))
    return Tensor._from_op(result) if isinstance(a, Tensor) else result


@accepts_dim
def argmax(a: TensorLike, axis: int | None = None, keepdims: bool = False) -> TensorOrArray:
    """The index of the largest value along ``axis`` (an int64 constant, no gradient)."""
    return _index_of(np.argmax, a, axis, keepdims)


@accepts_dim
def argmin(a: TensorLike, axis: int | None = None, keepdims: bool = False) -> TensorOrArray:
    """The index of the smallest value along ``axis`` (an int64 constant, no gradient)."""
    return _index_of(np.argmin, a, axis, keepdims)
