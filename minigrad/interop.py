"""NumPy calls on Tensors: ``np.exp(t)``, ``ndarray @ t``, ``np.sum(t)`` run minigrad's ops.

NumPy hands any call that involves a Tensor to ``Tensor.__array_ufunc__`` (ufuncs such as
``np.add``, ``np.exp``, and the operators of an ndarray) or ``Tensor.__array_function__``
(functions such as ``np.sum``, ``np.concatenate``). Both look the NumPy function up in one
table, ``NUMPY_TO_OP``, and call the op, so the result is a Tensor on the graph.

A NumPy function that minigrad has no op for must never drop the graph silently: given a
Tensor that requires grad it raises TypeError; given only Tensors that do not, it runs on
their arrays and returns what NumPy returns.
"""

import numpy as np

from . import ops
from .tensor import Tensor


def _dot(a, b):
    """np.dot for the cases minigrad has: a scalar times an array, or 1-D/2-D operands (= matmul)."""
    if np.ndim(_unwrap(a)) == 0 or np.ndim(_unwrap(b)) == 0:
        return ops.mul(a, b)
    if np.ndim(_unwrap(a)) > 2 or np.ndim(_unwrap(b)) > 2:
        raise TypeError("np.dot on a Tensor works for 1-D and 2-D operands; use mg.matmul or mg.einsum for more axes")
    return ops.matmul(a, b)


def _where(condition, *branches):
    if len(branches) != 2:
        raise TypeError("np.where on a Tensor needs all three arguments: np.where(condition, a, b)")
    return ops.where(condition, *branches)


# NumPy's name -> minigrad's op, where the names differ; every other NumPy function or ufunc whose
# name is also an op in ``minigrad.ops`` maps to that op (np.exp -> ops.exp, np.sum -> ops.sum, ...).
_RENAMED = {
    np.subtract: ops.sub,
    np.multiply: ops.mul,
    np.true_divide: ops.div,
    np.power: ops.pow,
    np.negative: ops.neg,
    np.absolute: ops.abs,
    np.amax: ops.max,
    np.amin: ops.min,
    np.bitwise_and: ops.logical_and,
    np.bitwise_or: ops.logical_or,
    np.invert: ops.logical_not,
    np.dot: _dot,
    np.sort: lambda *args, **kwargs: ops.sort(*args, **kwargs)[0],  # NumPy's sort gives the values only
    np.mod: ops.remainder,
    np.where: _where,
}
_SAME_NAME = [
    # ufuncs
    "add", "exp", "log", "sqrt", "tanh", "sign", "maximum", "minimum", "matmul",
    "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "log2", "log10", "log1p", "expm1", "exp2", "square", "reciprocal", "logaddexp", "fmod", "remainder",
    "floor", "ceil", "trunc", "floor_divide", "isnan", "isinf", "isfinite",
    # functions
    "sum", "mean", "max", "min", "argmax", "argmin", "clip", "reshape", "transpose", "swapaxes", "squeeze",
    "expand_dims", "concatenate", "stack", "broadcast_to", "var", "std", "prod", "cumsum", "cumprod", "all",
    "any", "argsort", "flip", "roll", "take_along_axis", "repeat", "tile", "tril", "triu", "split",
    "pad", "einsum", "round",
]  # fmt: skip
NUMPY_TO_OP = {
    **{getattr(np, name): getattr(ops, name) for name in _SAME_NAME},
    **_RENAMED,
}
# Functions that only read a Tensor's shape, never its values: safe whatever the Tensor is.
_SHAPE_ONLY = {np.shape: np.shape, np.ndim: np.ndim, np.size: np.size}


def array_ufunc(ufunc, method, inputs, kwargs):
    """``Tensor.__array_ufunc__``: a plain call of a ufunc that is an op runs the op."""
    op = NUMPY_TO_OP.get(ufunc)
    if method == "__call__" and op is not None and not kwargs:
        return op(*inputs)
    name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
    return _without_graph(getattr(ufunc, method), f"np.{name}", inputs, kwargs)


def array_function(func, args, kwargs):
    """``Tensor.__array_function__``: a NumPy function that is an op runs the op."""
    if func in _SHAPE_ONLY:
        return func(*_unwrap(args), **_unwrap(kwargs))
    op = NUMPY_TO_OP.get(func)
    if op is not None:
        return op(*args, **kwargs)
    return _without_graph(func, f"np.{func.__name__}", args, kwargs)


def _without_graph(fn, name, args, kwargs):
    """Run ``fn`` on the arrays inside the Tensors, unless one of them requires grad."""
    if _needs_grad(args) or _needs_grad(kwargs):
        extra = " with out= or other keywords" if kwargs else ""
        raise TypeError(
            f"{name}{extra} has no minigrad op, so it would drop the graph of a Tensor that requires grad; "
            "use minigrad's ops, or t.detach().numpy() if you mean to leave the graph"
        )
    return fn(*_unwrap(args), **_unwrap(kwargs))


def _needs_grad(value):
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_needs_grad(v) for v in value)
    if isinstance(value, dict):
        return any(_needs_grad(v) for v in value.values())
    return False


def _unwrap(value):
    """``value`` with every Tensor in it (in lists, tuples and dicts too) replaced by its array."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value
