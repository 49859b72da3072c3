"""Reductions and the softmax family: sum, mean, max, min, logsumexp, softmax, log_softmax.

A reduction's backward spreads the output gradient back over the reduced axes:
it puts the reduced axes back as length 1 (``kept``), then broadcasts.
"""

import builtins

import numpy as np

from ..autograd import Function
from ..tensor import DEFAULT_FLOAT, Tensor
from .elementwise import exp
from .shape import broadcast_to, normalize_axis


def _normalize_axes(axis, ndim):
    """``axis`` (None, int or tuple, negatives allowed) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    size = builtins.max(ndim, 1)  # a 0-d tensor takes axis 0 (or -1) like a length-1 one
    normalized = [normalize_axis(int(ax), size) for ax in axes]
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis} repeats an axis")
    return tuple(sorted(normalized))


class _Reduction(Function):
    """A reduction over ``axis``; remembers the shape the output has with the axes kept."""

    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def kept(self, g):
        """The output gradient with the reduced axes back in place, as length 1."""
        return g if self.keepdims else g.reshape(self.kept_shape)

    def remember_shapes(self, a):
        axes = _normalize_axes(self.axis, a.ndim)
        self.axis = axes  # NumPy takes the tuple; it also checked the axes once
        self.kept_shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape))


class Sum(_Reduction):
    saves_tensors = False

    def forward(self, a):
        self.remember_shapes(a)
        return a.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, out, a):
        return (broadcast_to(self.kept(g), a.shape),)  # d(Σa)/da_i = 1


class Mean(_Reduction):
    saves_tensors = False

    def forward(self, a):
        self.remember_shapes(a)
        outputs = int(np.prod(self.kept_shape))
        self.count = a.size // outputs if outputs else 0  # how many elements each mean averages
        integer = a.dtype.kind in "biu"  # the mean of integers is a float32, like int / int
        return a.mean(axis=self.axis, keepdims=self.keepdims, dtype=DEFAULT_FLOAT if integer else None)

    def backward(self, g, out, a):
        return (broadcast_to(self.kept(g) / self.count, a.shape),)  # d(mean a)/da_i = 1/n


class _Extreme(_Reduction):
    """max or min: ties share the gradient equally (like PyTorch's amax/amin)."""

    def forward(self, a):
        self.remember_shapes(a)
        if a.size == 0:
            raise ValueError(f"{self.name.lower()}() of an empty tensor of shape {a.shape} has no value")
        return self.numpy_fn(a, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # d max(a)/da_i = 1/k for each of the k elements equal to the max, else 0
        hits = _values(a) == self.kept(_values(out))
        share = hits / hits.sum(axis=self.axis, keepdims=True)
        return (self.kept(g) * share.astype(g.dtype),)


class Max(_Extreme):
    numpy_fn = staticmethod(np.max)


class Min(_Extreme):
    numpy_fn = staticmethod(np.min)


class LogSumExp(_Reduction):
    def forward(self, a):
        self.remember_shapes(a)
        shift = np.max(a, axis=self.axis, keepdims=True)
        shift[~np.isfinite(shift)] = 0  # all -inf (or an inf) along an axis: nothing to subtract
        total = np.exp(a - shift).sum(axis=self.axis, keepdims=True)
        with np.errstate(divide="ignore"):  # log 0 = -inf is the right answer for all -inf
            out = np.log(total) + shift
        return out if self.keepdims else np.squeeze(out, axis=self.axis)

    def backward(self, g, out, a):
        return (self.kept(g) * exp(a - self.kept(out)),)  # d logΣe^a / da_i = softmax(a)_i


class Softmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        e = np.exp(a - np.max(a, axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        return e

    def backward(self, g, out, a):
        # d softmax_i / da_j = s_i (δ_ij - s_j), so the VJP is s * (g - Σ g·s)
        return (out * (g - (g * out).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        shifted = a - np.max(a, axis=self.axis, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        return shifted

    def backward(self, g, out, a):
        # d log_softmax_i / da_j = δ_ij - s_j, so the VJP is g - s·Σg
        return (g - exp(out) * g.sum(axis=self.axis, keepdims=True),)


def _values(x):
    """The ndarray inside a Tensor (masks need no gradient)."""
    return x.data if isinstance(x, Tensor) else x


def sum(a, axis=None, keepdims=False):
    """The sum over ``axis`` (all axes when None)."""
    return Sum(axis, keepdims)(a)


def mean(a, axis=None, keepdims=False):
    """The mean over ``axis`` (all axes when None)."""
    return Mean(axis, keepdims)(a)


def max(a, axis=None, keepdims=False):
    """The largest value over ``axis``; tied maxima share the gradient equally."""
    return Max(axis, keepdims)(a)


def min(a, axis=None, keepdims=False):
    """The smallest value over ``axis``; tied minima share the gradient equally."""
    return Min(axis, keepdims)(a)


def logsumexp(a, axis=None, keepdims=False):
    """log(Σ exp(a)) over ``axis``, computed with the max subtracted so it never overflows."""
    return LogSumExp(axis, keepdims)(a)


def softmax(a, axis=-1):
    """exp(a) / Σ exp(a) along ``axis``, computed stably."""
    return Softmax(axis)(a)


def log_softmax(a, axis=-1):
    """a - logsumexp(a) along ``axis``: the log of softmax without computing log(softmax)."""
    return LogSoftmax(axis)(a)


def argmax(a, axis=None, keepdims=False):
    """The index of the largest value along ``axis`` (an integer constant, no gradient)."""
    result = np.argmax(_values(a), axis=axis, keepdims=keepdims)
    return Tensor._from_op(np.asarray(result)) if isinstance(a, Tensor) else result


def argmin(a, axis=None, keepdims=False):
    """The index of the smallest value along ``axis`` (an integer constant, no gradient)."""
    result = np.argmin(_values(a), axis=axis, keepdims=keepdims)
    return Tensor._from_op(np.asarray(result)) if isinstance(a, Tensor) else result
