"""Elementwise ops: arithmetic, the basic unary maths, activations, comparisons.

Each op is a Function (``forward`` on ndarrays, ``backward(g, out, *inputs)`` returning
the gradient of each input, with the derivative as a comment) and, right under it, the
function users and backward rules call. Gradients may keep the broadcast shape; the
engine sums them back.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from ..autograd import Function, _prepare
from ..tensor import Tensor, as_float, to_array
from ..typing import TensorLike, TensorOrArray

# --- arithmetic -------------------------------------------------------------------------


class Add(Function):
    saves_tensors = False

    def forward(self, a, b):
        return a + b

    def backward(self, g, out, a, b):
        return g, g  # d(a+b)/da = 1, d(a+b)/db = 1


def add(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a + b, broadcasting."""
    return Add()(a, b)


class Sub(Function):
    saves_tensors = False

    def forward(self, a, b):
        return a - b

    def backward(self, g, out, a, b):
        return g, (-g if self.needs[1] else None)  # d(a-b)/da = 1, d(a-b)/db = -1


def sub(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a - b, broadcasting."""
    return Sub()(a, b)


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        # d(ab)/da = b, d(ab)/db = a   (only what is needed: a constant factor needs no gradient)
        return (g * b if self.needs[0] else None), (g * a if self.needs[1] else None)


def mul(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a * b, broadcasting."""
    return Mul()(a, b)


class Div(Function):
    def forward(self, a, b):
        return as_float(a) / as_float(b)  # int / int is float32, like PyTorch

    def backward(self, g, out, a, b):
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
        return (g / b if self.needs[0] else None), (-g * out / b if self.needs[1] else None)


def div(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a / b, broadcasting (true division; integers give float32)."""
    return Div()(a, b)


class Pow(Function):
    def forward(self, a, b):
        return a**b

    def backward(self, g, out, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0^-1 and ln(a < 0) only where masked or NaN
            # d(a^b)/da = b·a^(b-1), taken as 0 where b = 0 (so d(x^0)/dx = 0 at x = 0, like PyTorch)
            ga = g * where(b == 0, 0, b * a ** (b - 1)) if self.needs[0] else None
            # d(a^b)/db = a^b·ln a: NaN for a < 0 (like PyTorch), taken as 0 at a = 0 where b >= 0
            gb = g * where((a == 0) & (b >= 0), 0, out * log(where(a == 0, 1, a))) if self.needs[1] else None
        return ga, gb


def pow(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a ** b, broadcasting."""
    return Pow()(a, b)


class Neg(Function):
    saves_tensors = False

    def forward(self, a):
        return -a

    def backward(self, g, out, a):
        return (-g,)  # d(-a)/da = -1


def neg(a: TensorLike) -> TensorOrArray:
    """-a."""
    return Neg()(a)


def tie_share(a: TensorLike, b: TensorLike) -> np.ndarray:
    """The share of the gradient of max(a, b) that goes to ``a``: 1 where a wins, 1/2 at a tie, else 0.

    The one tie rule of ``maximum``, ``minimum`` (swap the sides) and, elementwise, of
    ``max``/``min``'s reductions. A mask: never differentiated.
    """
    a, b = to_array(a), to_array(b)
    return (a > b) + (a == b) * 0.5


class Maximum(Function):
    def forward(self, a, b):
        return np.maximum(a, b)

    def backward(self, g, out, a, b):
        # d max(a,b)/da = 1 where a > b, 1/2 at a tie (like PyTorch), else 0
        return g * tie_share(a, b).astype(g.dtype), g * tie_share(b, a).astype(g.dtype)


def maximum(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """The elementwise larger of a and b; at a tie each side gets half the gradient."""
    return Maximum()(a, b)


class Minimum(Function):
    def forward(self, a, b):
        return np.minimum(a, b)

    def backward(self, g, out, a, b):
        # d min(a,b)/da = 1 where a < b, 1/2 at a tie (like PyTorch), else 0
        return g * tie_share(b, a).astype(g.dtype), g * tie_share(a, b).astype(g.dtype)


def minimum(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """The elementwise smaller of a and b; at a tie each side gets half the gradient."""
    return Minimum()(a, b)


class Where(Function):
    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        return np.where(self.condition, a, b)

    def backward(self, g, out, a, b):
        # d where(c, a, b)/da = c, d/db = not c
        return where(self.condition, g, 0), where(self.condition, 0, g)


def where(condition: TensorLike, a: TensorLike, b: TensorLike) -> TensorOrArray:
    """Elements of ``a`` where ``condition`` is true, else of ``b`` (differentiable in a and b)."""
    return Where(to_array(condition).astype(bool, copy=False))(a, b)


# --- unary maths: integer and bool inputs give float32 ---------------------------------------


class Exp(Function):
    def forward(self, a):
        return np.exp(as_float(a))

    def backward(self, g, out, a):
        return (g * out,)  # d(e^a)/da = e^a


def exp(a: TensorLike) -> TensorOrArray:
    """e ** a, elementwise."""
    return Exp()(a)


class Log(Function):
    def forward(self, a):
        return np.log(as_float(a))

    def backward(self, g, out, a):
        return (g / a,)  # d(ln a)/da = 1/a


def log(a: TensorLike) -> TensorOrArray:
    """The natural logarithm, elementwise."""
    return Log()(a)


class Sqrt(Function):
    def forward(self, a):
        return np.sqrt(as_float(a))

    def backward(self, g, out, a):
        return (g / (out * 2),)  # d(√a)/da = 1/(2√a)


def sqrt(a: TensorLike) -> TensorOrArray:
    """The square root, elementwise."""
    return Sqrt()(a)


class Abs(Function):
    def forward(self, a):
        return np.abs(a)

    def backward(self, g, out, a):
        return (g * sign(a),)  # d|a|/da = sign(a), 0 at 0 like PyTorch


def abs(a: TensorLike) -> TensorOrArray:
    """|a|, elementwise."""
    return Abs()(a)


class Tanh(Function):
    def forward(self, a):
        return np.tanh(as_float(a))

    def backward(self, g, out, a):
        return (g * (1 - out * out),)  # d tanh(a)/da = 1 - tanh²(a)


def tanh(a: TensorLike) -> TensorOrArray:
    """The hyperbolic tangent, elementwise."""
    return Tanh()(a)


class Sigmoid(Function):
    def forward(self, a):
        return (np.tanh(as_float(a) * 0.5) + 1) * 0.5  # σ(a) = (1 + tanh(a/2)) / 2: no overflow for any a

    def backward(self, g, out, a):
        return (g * out * (1 - out),)  # dσ/da = σ(1 - σ)


def sigmoid(a: TensorLike) -> TensorOrArray:
    """1 / (1 + e^-a), elementwise, stable for any a."""
    return Sigmoid()(a)


class LogSigmoid(Function):
    def forward(self, a):
        a = as_float(a)
        # log σ(a) = min(a, 0) - log(1 + e^-|a|): never overflows, never takes log(0)
        return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))

    def backward(self, g, out, a):
        return (g * sigmoid(-a),)  # d log σ(a)/da = 1 - σ(a) = σ(-a)


def logsigmoid(a: TensorLike) -> TensorOrArray:
    """log(sigmoid(a)), computed without overflow or log(0) for any a."""
    return LogSigmoid()(a)


class Relu(Function):
    def forward(self, a):
        return np.maximum(a, 0)

    def backward(self, g, out, a):
        return (g * (to_array(a) > 0),)  # d relu(a)/da = 1 where a > 0, else 0 (also at 0, like PyTorch)


def relu(a: TensorLike) -> TensorOrArray:
    """max(a, 0), elementwise."""
    return Relu()(a)


class Clip(Function):
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, a):
        return np.clip(a, self.lo, self.hi)

    def backward(self, g, out, a):
        # d clip(a)/da = 1 where lo <= a <= hi, else 0 (like torch.clamp)
        values = to_array(a)
        inside = np.ones(values.shape, dtype=bool)
        if self.lo is not None:
            inside &= values >= to_array(self.lo)
        if self.hi is not None:
            inside &= values <= to_array(self.hi)
        return (where(inside, g, 0),)


def clip(a: TensorLike, lo: TensorLike | None = None, hi: TensorLike | None = None) -> TensorOrArray:
    """a limited to [lo, hi] (either may be None); the gradient is 0 outside."""
    if lo is None and hi is None:
        raise ValueError("clip needs lo or hi (or both), got neither")
    return Clip(lo, hi)(a)


class AsType(Function):
    saves_tensors = False

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, a):
        return a.astype(self.dtype)

    def backward(self, g, out, a):
        return (astype(g, a.dtype),)  # the identity, cast back to the input's float type


def astype(a: TensorLike, dtype: DTypeLike) -> TensorOrArray:
    """a converted to ``dtype``; differentiable between float types, a constant otherwise."""
    dtype = np.dtype(dtype)
    if isinstance(a, Tensor) and a.dtype == dtype:
        return a
    if dtype.kind not in "fc" and isinstance(a, Tensor):
        return Tensor._from_op(a.data.astype(dtype))
    return AsType(dtype)(a)


# --- not differentiable: comparisons, logic, sign -----------------------------------------


def _constant_op(numpy_fn, *inputs):
    """Apply ``numpy_fn`` to the inputs' values; a Tensor result never needs a gradient."""
    inputs, arrays, needs, _ = _prepare(inputs)
    result = numpy_fn(*arrays)
    return result if needs is None else Tensor._from_op(result)


def less(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a < b as a bool Tensor."""
    return _constant_op(np.less, a, b)


def less_equal(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a <= b as a bool Tensor."""
    return _constant_op(np.less_equal, a, b)


def greater(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a > b as a bool Tensor."""
    return _constant_op(np.greater, a, b)


def greater_equal(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a >= b as a bool Tensor."""
    return _constant_op(np.greater_equal, a, b)


def equal(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a == b as a bool Tensor."""
    return _constant_op(np.equal, a, b)


def not_equal(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a != b as a bool Tensor."""
    return _constant_op(np.not_equal, a, b)


def logical_and(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a & b for bool (or integer: bitwise) Tensors."""
    return _constant_op(np.bitwise_and, a, b)


def logical_or(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a | b for bool (or integer: bitwise) Tensors."""
    return _constant_op(np.bitwise_or, a, b)


def logical_not(a: TensorLike) -> TensorOrArray:
    """~a for bool (or integer: bitwise) Tensors."""
    return _constant_op(np.invert, a)


def sign(a: TensorLike) -> TensorOrArray:
    """-1, 0 or 1 by the sign of each element (a constant: its derivative is 0)."""
    return _constant_op(np.sign, a)
