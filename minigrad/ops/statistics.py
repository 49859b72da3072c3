"""Statistics of a tensor: var, std, prod, cumsum, cumprod, norm; and the logical reductions all, any.

Like the reductions in ``reduce.py``, a backward here puts the reduced axes back as
length 1 (``kept``) so the gradient broadcasts over them. The products (prod, cumprod)
divide by the input only where that is exact: an input with zeros takes a formula
with no division, so its gradient is right (and differentiable again) at the zeros too.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, is_grad_enabled
from ..tensor import DEFAULT_FLOAT, Tensor, as_float, to_array
from ..typing import Axis, TensorLike, TensorOrArray
from .axes import accepts_dim, normalize_axes, normalize_axis
from .elementwise import abs, astype, where
from .reduce import max, mean, sum
from .shape import concatenate, expand_dims, getitem, reshape, swapaxes, transpose


def _reduced_axes(axis, shape):
    """The axes a reduction over ``axis`` removes (a 0-d tensor has none), checked once."""
    return tuple(ax for ax in normalize_axes(axis, len(shape)) if ax < len(shape))


class _Statistic(Function):
    """A reduction over ``axis``; remembers its axes, their element count and the output shape with them kept."""

    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def remember_shapes(self, a):
        self.axes = _reduced_axes(self.axis, a.shape)
        self.count = int(np.prod([a.shape[ax] for ax in self.axes]))  # elements per output value
        self.kept_shape = tuple(1 if i in self.axes else n for i, n in enumerate(a.shape))

    def kept(self, g):
        """``g`` (an output-shaped value) with the reduced axes back in place, as length 1."""
        return g if self.keepdims else g.reshape(self.kept_shape)


class Var(_Statistic):
    def __init__(self, axis, keepdims, ddof):
        super().__init__(axis, keepdims)
        self.ddof = ddof

    def forward(self, a):
        self.remember_shapes(a)
        return np.var(as_float(a), axis=self.axes, keepdims=self.keepdims, ddof=self.ddof)

    def backward(self, g, out, a):
        # d var/da_i = 2 (a_i - mean) / (n - ddof)
        scale = 2.0 / (self.count - self.ddof) if self.count > self.ddof else np.nan
        return (self.kept(g) * (a - mean(a, axis=self.axes, keepdims=True)) * scale,)


@accepts_dim
def var(x: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> TensorOrArray:
    """The variance over ``axis``: mean((x - mean x)²) · n / (n - ddof), NumPy's default ddof=0."""
    return Var(axis, keepdims, ddof)(x)


class Std(Var):
    def forward(self, a):
        return np.sqrt(super().forward(a))

    def backward(self, g, out, a):
        # d std/da_i = (a_i - mean) / ((n - ddof) std), and 0 where std = 0 (like PyTorch)
        std = self.kept(out)
        scale = where(std == 0, 0, self.kept(g) / (where(std == 0, 1, std) * (self.count - self.ddof)))
        return ((a - mean(a, axis=self.axes, keepdims=True)) * scale,)


@accepts_dim
def std(x: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> TensorOrArray:
    """The standard deviation over ``axis``: sqrt(var(x, axis, ddof=ddof)); its gradient is 0 where it is 0."""
    return Std(axis, keepdims, ddof)(x)


class Prod(_Statistic):
    def forward(self, a):
        self.remember_shapes(a)
        return np.prod(a, axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # d Πa/da_i = the product of the other elements
        if not np.any(to_array(a) == 0):
            return (self.kept(g) * self.kept(out) / a,)  # exact: nothing here is 0
        return (self.kept(g) * _products_of_the_others(a, self.axes),)


@accepts_dim
def prod(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """The product over ``axis``; the gradient is right with zeros in ``x`` (no division by them)."""
    return Prod(axis, keepdims)(x)


def _products_of_the_others(a, axes):
    """For every element, the product of the other elements of its slice over ``axes``, with no division.

    The reduced axes are moved last and flattened to one, where the product of the others
    is (the product of those before) · (the product of those after).
    """
    rest = [i for i in range(a.ndim) if i not in axes]
    order = rest + list(axes)
    moved_shape = tuple(a.shape[i] for i in order)
    rows = reshape(transpose(a, *order), *moved_shape[: len(rest)], -1)
    before = _exclusive_cumprod(rows)
    after = _flip_last(_exclusive_cumprod(_flip_last(rows)))
    return transpose(reshape(before * after, moved_shape), *np.argsort(order))


def _exclusive_cumprod(rows):
    """Π of the elements before each one along the last axis (1 for the first)."""
    ones = np.ones(rows.shape[:-1] + (1,), dtype=rows.dtype)
    return cumprod(concatenate([ones, getitem(rows, (Ellipsis, slice(None, -1)))], axis=-1), axis=-1)


def _flip_last(x):
    return getitem(x, (Ellipsis, slice(None, None, -1)))


def _reverse_cumsum(g, axis):
    """Σ_{i ≥ k} g_i along ``axis``: the adjoint of cumsum."""
    flipped = (slice(None),) * axis + (slice(None, None, -1),)
    return getitem(cumsum(getitem(g, flipped), axis=axis), flipped)


class CumSum(Function):
    saves_tensors = False

    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        return np.cumsum(a, axis=self.axis)

    def backward(self, g, out, a):
        return (_reverse_cumsum(g, self.axis),)  # d(Σ_{j≤i} a_j)/da_k = 1 for every i ≥ k


@accepts_dim
def cumsum(x: TensorLike, axis: int | None = None) -> TensorOrArray:
    """Running sums along ``axis``; with ``axis=None`` over the flattened tensor, like NumPy."""
    return _along_one_axis(CumSum, x, axis)


class CumProd(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, a):
        return np.cumprod(a, axis=self.axis)

    def backward(self, g, out, a):
        # d out_i/da_k = Π_{j ≤ i, j ≠ k} a_j for i ≥ k
        if not np.any(to_array(a) == 0):
            return (_reverse_cumsum(g * out, self.axis) / a,)  # exact: nothing here is 0
        if is_grad_enabled():  # create_graph (as in PyTorch): a formula whose own derivatives are right at zeros
            return (_cumprod_grad_by_table(g, a, self.axis),)
        return (_cumprod_grad_with_zeros(g, out, a, self.axis),)


@accepts_dim
def cumprod(x: TensorLike, axis: int | None = None) -> TensorOrArray:
    """Running products along ``axis`` (flattened when None); the gradient is right with zeros in ``x``."""
    return _along_one_axis(CumProd, x, axis)


def _cumprod_grad_with_zeros(g, out, a, axis):
    """The gradient of cumprod in O(n) when ``a`` has zeros, like PyTorch's.

    Before the first zero of a row nothing is 0, so Σ_{i ≥ k} g_i out_i / a_k is exact. At the
    first zero z it is (Π_{j<z} a_j) · Σ_{i ≥ z} g_i Π_{z<j≤i} a_j. After it, every product
    holds a_z = 0, so the gradient is 0.
    """
    seen = np.cumsum(to_array(a) == 0, axis=axis)  # zeros at or before each position
    before, first = seen == 0, (seen == 1) & (to_array(a) == 0)
    part_before = where(before, _reverse_cumsum(g * out, axis) / where(before, a, 1), 0)
    from_first = cumprod(where(seen >= 1, where(first, 1, a), 1), axis=axis)  # Π_{z<j≤i} a_j for i ≥ z
    head = cumprod(where(before, a, 1), axis=axis)  # at z: Π_{j<z} a_j
    part_first = where(first, head * _reverse_cumsum(where(seen >= 1, g * from_first, 0), axis), 0)
    return part_before + part_first


def _cumprod_grad_by_table(g, a, axis):
    """Σ_{i ≥ k} g_i Π_{j ≤ i, j ≠ k} a_j = (Π_{j < k} a_j) · Σ_{i ≥ k} g_i Π_{k < j ≤ i} a_j, with no division.

    The second factor needs, for every k, the running product that starts after k: an
    n x n table per row (row k, column i). It is a polynomial in ``a``, so its derivatives
    are right everywhere; it costs O(n²), so only create_graph with zeros in ``a`` uses it.
    """
    rows, grads = swapaxes(a, axis, -1), swapaxes(g, axis, -1)
    n = rows.shape[-1]
    k, i = np.arange(n)[:, None], np.arange(n)
    running = cumprod(where(i > k, expand_dims(rows, -2), 1), axis=-1)  # [k, i] = Π_{k < j ≤ i} a_j
    after = (where(i >= k, running, 0) * expand_dims(grads, -2)).sum(axis=-1)
    return swapaxes(_exclusive_cumprod(rows) * after, axis, -1)


def _along_one_axis(op_class, x, axis):
    """``op_class(axis)(x)``, flattening for ``axis=None`` and treating a 0-d tensor as one element."""
    if axis is None:
        return op_class(0)(reshape(x, -1))
    ndim = to_array(x).ndim
    axis = normalize_axis(axis, ndim)
    if ndim == 0:
        return reshape(op_class(0)(reshape(x, 1)), ())
    return op_class(axis)(x)


class Norm(_Statistic):
    """The 2-norm."""

    def forward(self, a):
        self.remember_shapes(a)
        return np.sqrt(np.sum(a * a, axis=self.axes, keepdims=self.keepdims))

    def backward(self, g, out, a):
        # d|a|/da = a/|a|, and 0 at a = 0 (PyTorch's subgradient)
        norm = self.kept(out)
        return (a * where(norm == 0, 0, self.kept(g) / where(norm == 0, 1, norm)),)


@accepts_dim
def norm(x: TensorLike, ord: float | None = None, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """The vector norm over ``axis`` (all elements when None): ``ord`` 2 (the default), 1 or inf.

    Several axes are treated as one flattened vector, like ``torch.linalg.vector_norm``.
    The gradient at 0 is 0.
    """
    if to_array(x).dtype.kind not in "fc":
        x = astype(x, DEFAULT_FLOAT)  # the norm of integers is a float32, like int / int
    axes = _reduced_axes(axis, to_array(x).shape)
    if ord is None or ord == 2:
        return Norm(axes, keepdims)(x)
    if ord == 1:
        return sum(abs(x), axis=axes, keepdims=keepdims)
    if ord == np.inf:
        return max(abs(x), axis=axes, keepdims=keepdims)
    raise ValueError(f"norm: ord={ord!r} is not supported; use 2 (the default), 1 or inf")


def _logical_reduction(numpy_fn, x, axis, keepdims):
    values = to_array(x)
    result = np.asarray(numpy_fn(values, axis=_reduced_axes(axis, values.shape), keepdims=keepdims))
    return Tensor._from_op(result) if isinstance(x, Tensor) else result


@accepts_dim
def all(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """True where every element over ``axis`` is true (nonzero); a bool tensor with no gradient."""
    return _logical_reduction(np.all, x, axis, keepdims)


@accepts_dim
def any(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorOrArray:
    """True where some element over ``axis`` is true (nonzero); a bool tensor with no gradient."""
    return _logical_reduction(np.any, x, axis, keepdims)
