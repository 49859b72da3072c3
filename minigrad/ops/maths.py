"""More elementwise maths: trigonometry, hyperbolics, logs and exponentials, erf, rounding, remainders.

Each op is a Function with its forward and backward side by side and the derivative as a
comment. Backward rules are written with minigrad's ops (``cos`` from this file, ``exp``,
``where``, ...), so they run on ndarrays in an ordinary backward and build a graph under
``create_graph=True``: second derivatives come for free.

Unary maths on an integer or bool tensor computes in float32 (``as_float``), like PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..tensor import as_float
from ..typing import TensorLike, TensorOrArray
from .elementwise import _constant_op, exp, sigmoid, sqrt, where

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# --- trigonometry ------------------------------------------------------------------------


class Sin(Function):
    def forward(self, a):
        return np.sin(as_float(a))

    def backward(self, g, out, a):
        return (g * cos(a),)  # d sin(a)/da = cos(a)


def sin(a: TensorLike) -> TensorOrArray:
    """The sine, elementwise (radians)."""
    return Sin()(a)


class Cos(Function):
    def forward(self, a):
        return np.cos(as_float(a))

    def backward(self, g, out, a):
        return (-g * sin(a),)  # d cos(a)/da = -sin(a)


def cos(a: TensorLike) -> TensorOrArray:
    """The cosine, elementwise (radians)."""
    return Cos()(a)


class Tan(Function):
    def forward(self, a):
        return np.tan(as_float(a))

    def backward(self, g, out, a):
        return (g * (1 + out * out),)  # d tan(a)/da = 1 + tan²(a)


def tan(a: TensorLike) -> TensorOrArray:
    """The tangent, elementwise (radians)."""
    return Tan()(a)


class Arcsin(Function):
    def forward(self, a):
        return np.arcsin(as_float(a))

    def backward(self, g, out, a):
        return (g / sqrt(1 - a * a),)  # d arcsin(a)/da = 1/√(1 - a²)


def arcsin(a: TensorLike) -> TensorOrArray:
    """The inverse sine, elementwise: values in [-π/2, π/2], nan outside [-1, 1]."""
    return Arcsin()(a)


class Arccos(Function):
    def forward(self, a):
        return np.arccos(as_float(a))

    def backward(self, g, out, a):
        return (-g / sqrt(1 - a * a),)  # d arccos(a)/da = -1/√(1 - a²)


def arccos(a: TensorLike) -> TensorOrArray:
    """The inverse cosine, elementwise: values in [0, π], nan outside [-1, 1]."""
    return Arccos()(a)


class Arctan(Function):
    def forward(self, a):
        return np.arctan(as_float(a))

    def backward(self, g, out, a):
        return (g / (1 + a * a),)  # d arctan(a)/da = 1/(1 + a²)


def arctan(a: TensorLike) -> TensorOrArray:
    """The inverse tangent, elementwise: values in (-π/2, π/2)."""
    return Arctan()(a)


# --- hyperbolic functions ------------------------------------------------------------------


class Sinh(Function):
    def forward(self, a):
        return np.sinh(as_float(a))

    def backward(self, g, out, a):
        return (g * cosh(a),)  # d sinh(a)/da = cosh(a)


def sinh(a: TensorLike) -> TensorOrArray:
    """The hyperbolic sine, elementwise."""
    return Sinh()(a)


class Cosh(Function):
    def forward(self, a):
        return np.cosh(as_float(a))

    def backward(self, g, out, a):
        return (g * sinh(a),)  # d cosh(a)/da = sinh(a)


def cosh(a: TensorLike) -> TensorOrArray:
    """The hyperbolic cosine, elementwise."""
    return Cosh()(a)


class Arcsinh(Function):
    def forward(self, a):
        return np.arcsinh(as_float(a))

    def backward(self, g, out, a):
        return (g / sqrt(a * a + 1),)  # d arcsinh(a)/da = 1/√(a² + 1)


def arcsinh(a: TensorLike) -> TensorOrArray:
    """The inverse hyperbolic sine, elementwise."""
    return Arcsinh()(a)


class Arccosh(Function):
    def forward(self, a):
        return np.arccosh(as_float(a))

    def backward(self, g, out, a):
        return (g / sqrt((a - 1) * (a + 1)),)  # d arccosh(a)/da = 1/√(a² - 1)


def arccosh(a: TensorLike) -> TensorOrArray:
    """The inverse hyperbolic cosine, elementwise: defined for a >= 1 (nan below)."""
    return Arccosh()(a)


class Arctanh(Function):
    def forward(self, a):
        return np.arctanh(as_float(a))

    def backward(self, g, out, a):
        return (g / (1 - a * a),)  # d arctanh(a)/da = 1/(1 - a²)


def arctanh(a: TensorLike) -> TensorOrArray:
    """The inverse hyperbolic tangent, elementwise: defined on (-1, 1), ±inf at ±1."""
    return Arctanh()(a)


# --- logarithms and exponentials -----------------------------------------------------------


class Log2(Function):
    def forward(self, a):
        return np.log2(as_float(a))

    def backward(self, g, out, a):
        return (g / (a * _LN2),)  # d log2(a)/da = 1/(a ln 2)


def log2(a: TensorLike) -> TensorOrArray:
    """The base-2 logarithm, elementwise."""
    return Log2()(a)


class Log10(Function):
    def forward(self, a):
        return np.log10(as_float(a))

    def backward(self, g, out, a):
        return (g / (a * _LN10),)  # d log10(a)/da = 1/(a ln 10)


def log10(a: TensorLike) -> TensorOrArray:
    """The base-10 logarithm, elementwise."""
    return Log10()(a)


class Log1p(Function):
    def forward(self, a):
        return np.log1p(as_float(a))

    def backward(self, g, out, a):
        return (g / (a + 1),)  # d ln(1 + a)/da = 1/(1 + a)


def log1p(a: TensorLike) -> TensorOrArray:
    """ln(1 + a), elementwise, accurate for tiny a."""
    return Log1p()(a)


class Expm1(Function):
    def forward(self, a):
        return np.expm1(as_float(a))

    def backward(self, g, out, a):
        return (g * (out + 1),)  # d(e^a - 1)/da = e^a = out + 1


def expm1(a: TensorLike) -> TensorOrArray:
    """e^a - 1, elementwise, accurate for tiny a."""
    return Expm1()(a)


class Exp2(Function):
    def forward(self, a):
        return np.exp2(as_float(a))

    def backward(self, g, out, a):
        return (g * out * _LN2,)  # d 2^a/da = 2^a ln 2


def exp2(a: TensorLike) -> TensorOrArray:
    """2 ** a, elementwise."""
    return Exp2()(a)


class LogAddExp(Function):
    def forward(self, a, b):
        if np.result_type(a, b).kind in "biu":  # integer or bool inputs compute in float32
            a, b = as_float(np.asarray(a)), as_float(np.asarray(b))
        return np.logaddexp(a, b)  # max(a, b) + log1p(e^-|a-b|): never overflows

    def backward(self, g, out, a, b):
        # d log(e^a + e^b)/da = e^a/(e^a + e^b) = σ(a - b), and σ(b - a) for b: the softmax weights of (a, b)
        ga = g * sigmoid(a - b) if self.needs[0] else None
        gb = g * sigmoid(b - a) if self.needs[1] else None
        return ga, gb


def logaddexp(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """log(e^a + e^b), elementwise and broadcasting, without overflow for any a and b."""
    return LogAddExp()(a, b)


# --- powers -----------------------------------------------------------------------------


class Square(Function):
    def forward(self, a):
        if a.dtype == np.bool_:
            a = a.astype(np.int64)  # like PyTorch: the square of a bool tensor is int64
        return a * a  # an integer tensor stays integer, like torch.square

    def backward(self, g, out, a):
        return (g * 2 * a,)  # d a²/da = 2a


def square(a: TensorLike) -> TensorOrArray:
    """a * a, elementwise (integers stay integers, like PyTorch)."""
    return Square()(a)


class Reciprocal(Function):
    def forward(self, a):
        return 1 / as_float(a)

    def backward(self, g, out, a):
        return (-g * out * out,)  # d(1/a)/da = -1/a²


def reciprocal(a: TensorLike) -> TensorOrArray:
    """1 / a, elementwise (integers give float32)."""
    return Reciprocal()(a)


# --- the error function ---------------------------------------------------------------------
#
# erf is evaluated by Taylor series around fixed centres 0, 1/8, 2/8, ..., 6. Every x with
# |x| < 6 is within 1/16 of a centre c, and 12 terms of the series around c are then
# accurate to about one unit in the last place. The coefficients come from erf' = (2/√π) e^(-x²):
# writing b_k = f^(k)(c)/k! for f = e^(-x²), differentiating f' = -2x f k times gives
#     b_(k+1) = (-2c b_k - 2 b_(k-1)) / (k + 1),   b_0 = e^(-c²),
# and the series is erf(c + t) = erf(c) + Σ_(n≥1) (2/√π) b_(n-1)/n · t^n, with erf(c)
# from Python's math.erf at the 49 centres. Beyond |x| = 6, erf(x) is ±1 to double precision
# (1 - erf(6) ≈ 2e-17).

_ERF_STEP = 0.125
_ERF_TOP = 6.0
_ERF_TERMS = 11  # the series runs up to t^11


def _erf_taylor_table():
    """Row n holds the coefficient of t^n of the series around each centre (one column per centre)."""
    centres = np.arange(0.0, _ERF_TOP + _ERF_STEP / 2, _ERF_STEP)
    table = np.zeros((_ERF_TERMS + 1, len(centres)))
    for j, c in enumerate(centres.tolist()):
        table[0, j] = math.erf(c)
        b_before, b = 0.0, math.exp(-c * c)  # b_(k-1), b_k for k = 0
        for n in range(1, _ERF_TERMS + 1):
            table[n, j] = _TWO_OVER_SQRT_PI * b / n
            b_before, b = b, (-2 * c * b - 2 * b_before) / n  # b_n from b_(n-1) and b_(n-2)
    return table


_ERF_TABLE = _erf_taylor_table()


def _erf_values(x):
    """erf of a float64 array, to within about 1e-16 (see the note above)."""
    magnitude = np.fmin(np.abs(x), _ERF_TOP)  # fmin sends nan to 6 too; nan is put back at the end
    centre = np.rint(magnitude * (1 / _ERF_STEP)).astype(np.intp)
    t = magnitude - centre * _ERF_STEP  # |t| <= 1/16
    series = _ERF_TABLE[_ERF_TERMS].take(centre)
    for n in range(_ERF_TERMS - 1, -1, -1):  # Horner's rule
        series *= t
        series += _ERF_TABLE[n].take(centre)
    return np.where(np.isnan(x), x, np.copysign(series, x))  # erf is odd: erf(-0) = -0


class Erf(Function):
    def forward(self, a):
        a = as_float(a)
        return _erf_values(a.astype(np.float64)).astype(a.dtype)  # float32 computed in float64

    def backward(self, g, out, a):
        return (g * _TWO_OVER_SQRT_PI * exp(-(a * a)),)  # d erf(a)/da = 2/√π e^(-a²)


def erf(a: TensorLike) -> TensorOrArray:
    """The error function (2/√π) ∫_0^a e^(-t²) dt, elementwise, accurate to about 1e-16."""
    return Erf()(a)


# --- rounding: step functions, so their gradient is 0 (like PyTorch) -----------------------


def _zero_gradient(g):
    """A zero gradient of g's shape that is still a function of g (g * 0 would turn inf into nan)."""
    return where(np.zeros(g.shape, dtype=bool), g, 0)


class _Rounding(Function):
    """floor, ceil, round and trunc: flat between the jumps, so d/da = 0 everywhere, like PyTorch."""

    saves_tensors = False

    def forward(self, a):
        if a.dtype.kind in "iu":
            return a.copy()  # integers are already whole: like PyTorch, the same dtype and values
        if a.dtype == np.bool_:
            raise TypeError(f"{self.name.lower()} is not defined for bool tensors (like PyTorch); cast first")
        return self.round(a)

    def backward(self, g, out, a):
        return (_zero_gradient(g),)  # d floor(a)/da = 0 (and the same for ceil, round, trunc)


class Floor(_Rounding):
    round = staticmethod(np.floor)


def floor(a: TensorLike) -> TensorOrArray:
    """The largest whole number <= a, elementwise (gradient 0, like PyTorch)."""
    return Floor()(a)


class Ceil(_Rounding):
    round = staticmethod(np.ceil)


def ceil(a: TensorLike) -> TensorOrArray:
    """The smallest whole number >= a, elementwise (gradient 0, like PyTorch)."""
    return Ceil()(a)


class Round(_Rounding):
    def __init__(self, decimals=0):
        self.decimals = int(decimals)

    def round(self, a):
        return np.round(a, self.decimals)


def round(a: TensorLike, decimals: int = 0) -> TensorOrArray:
    """a rounded to ``decimals`` places, halves to even like NumPy and PyTorch (gradient 0)."""
    return Round(decimals)(a)


class Trunc(_Rounding):
    round = staticmethod(np.trunc)


def trunc(a: TensorLike) -> TensorOrArray:
    """a rounded towards zero, elementwise (gradient 0, like PyTorch)."""
    return Trunc()(a)


# --- remainders and floor division ----------------------------------------------------------


def _check_integer_divisor(name, a, b):
    """Integer division by zero has no answer: raise like PyTorch instead of NumPy's silent 0."""
    if np.result_type(a, b).kind in "biu" and np.any(np.asarray(b) == 0):
        raise ZeroDivisionError(f"{name}: integer division by zero")


class Remainder(Function):
    def forward(self, a, b):
        _check_integer_divisor("remainder", a, b)
        return np.remainder(a, b)  # the sign of the divisor, like Python's % and torch.remainder

    def backward(self, g, out, a, b):
        # a mod b = a - floor(a/b)·b, so d/da = 1 and d/db = -floor(a/b) (like PyTorch)
        return (g if self.needs[0] else None), (-g * floor(a / b) if self.needs[1] else None)


def remainder(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a - floor(a/b)·b: the remainder with the sign of the divisor b (Python's ``%``, np.remainder)."""
    return Remainder()(a, b)


class Fmod(Function):
    def forward(self, a, b):
        _check_integer_divisor("fmod", a, b)
        return np.fmod(a, b)  # the sign of the dividend, like C's fmod and torch.fmod

    def backward(self, g, out, a, b):
        # fmod(a, b) = a - trunc(a/b)·b, so d/da = 1 and d/db = -trunc(a/b) (like PyTorch)
        return (g if self.needs[0] else None), (-g * trunc(a / b) if self.needs[1] else None)


def fmod(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """a - trunc(a/b)·b: the remainder with the sign of the dividend a (C's fmod, np.fmod)."""
    return Fmod()(a, b)


def _floor_divide_values(a, b):
    _check_integer_divisor("floor_divide", a, b)
    return np.floor_divide(a, b)


def floor_divide(a: TensorLike, b: TensorLike) -> TensorOrArray:
    """floor(a / b) (Python's ``//``): integers stay integers; no gradient (PyTorch has none either)."""
    return _constant_op(_floor_divide_values, a, b)


# --- tests on values: bool results, no gradient ---------------------------------------------


def isnan(a: TensorLike) -> TensorOrArray:
    """True where a is nan, as a bool Tensor."""
    return _constant_op(np.isnan, a)


def isinf(a: TensorLike) -> TensorOrArray:
    """True where a is +inf or -inf, as a bool Tensor."""
    return _constant_op(np.isinf, a)


def isfinite(a: TensorLike) -> TensorOrArray:
    """True where a is neither nan nor ±inf, as a bool Tensor."""
    return _constant_op(np.isfinite, a)


__all__ = [
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "log2",
    "log10",
    "log1p",
    "expm1",
    "exp2",
    "logaddexp",
    "square",
    "reciprocal",
    "erf",
    "floor",
    "ceil",
    "round",
    "trunc",
    "remainder",
    "fmod",
    "floor_divide",
    "isnan",
    "isinf",
    "isfinite",
]
