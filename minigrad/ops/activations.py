"""Activation functions beyond relu, sigmoid and tanh, with PyTorch's formulas and its gradients at the kinks.

Where a fused forward and backward is faster or clearer the activation is a Function;
otherwise it is a short composition of existing ops (and differentiates through them).
At a kink (a point where the slope jumps) the gradient is the one PyTorch's
derivative formula gives there; each Function says which side it takes.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..tensor import as_float, to_array
from ..typing import TensorLike, TensorOrArray
from .axes import accepts_dim, normalize_axis
from .elementwise import abs, exp, sigmoid, tanh, where
from .maths import erf
from .reduce import softmax

_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715

# SELU's constants, from Klambauer et al. (2017), as PyTorch uses them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class Gelu(Function):
    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, a):
        a = as_float(a)
        if self.approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (a + _GELU_CUBIC * a * a * a)
            return 0.5 * a * (1 + np.tanh(inner))
        a64 = a.astype(np.float64)  # erf runs in float64 (maths.Erf does the same)
        return (0.5 * a64 * (1 + erf(a64 * _INV_SQRT_2))).astype(a.dtype)

    def backward(self, g, out, a):
        if self.approximate == "tanh":
            # d/da ½a(1 + tanh u) = ½(1 + tanh u) + ½a(1 - tanh²u)·u',  u = √(2/π)(a + 0.044715a³)
            t = tanh(_SQRT_2_OVER_PI * (a + _GELU_CUBIC * a * a * a))
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * a * a)
            return (g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * du),)
        # d/da aΦ(a) = Φ(a) + a·φ(a),  Φ(a) = ½(1 + erf(a/√2)),  φ(a) = e^(-a²/2)/√(2π)
        return (g * (0.5 * (1 + erf(a * _INV_SQRT_2)) + a * exp(-0.5 * a * a) * _INV_SQRT_2PI),)


def gelu(x: TensorLike, approximate: str = "none") -> TensorOrArray:
    """x·Φ(x) with Φ the standard normal CDF (``approximate="tanh"``: PyTorch's tanh formula)."""
    return Gelu(approximate)(x)


class LeakyRelu(Function):
    def __init__(self, negative_slope=0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, a):
        a = as_float(a)
        return np.where(a > 0, a, a * self.negative_slope)

    def backward(self, g, out, a):
        # d/da = 1 where a > 0, else negative_slope (at 0 too, like PyTorch)
        return (where(to_array(a) > 0, g, g * self.negative_slope),)


def leaky_relu(x: TensorLike, negative_slope: float = 0.01) -> TensorOrArray:
    """x where x > 0, else negative_slope·x."""
    return LeakyRelu(negative_slope)(x)


class Elu(Function):
    def __init__(self, alpha=1.0):
        self.alpha = float(alpha)

    def forward(self, a):
        a = as_float(a)
        return np.where(a > 0, a, self.alpha * np.expm1(np.minimum(a, 0)))  # min: no overflow in the unused side

    def backward(self, g, out, a):
        # d/da = 1 where a > 0, else α·e^a = out + α (at 0 too: α, like PyTorch)
        return (where(to_array(a) > 0, g, g * (out + self.alpha)),)


def elu(x: TensorLike, alpha: float = 1.0) -> TensorOrArray:
    """x where x > 0, else alpha·(e^x - 1)."""
    return Elu(alpha)(x)


def selu(x: TensorLike) -> TensorOrArray:
    """scale·elu(x, alpha) with SELU's fixed alpha ≈ 1.6733 and scale ≈ 1.0507 (self-normalising)."""
    return elu(x, _SELU_ALPHA) * _SELU_SCALE


def silu(x: TensorLike) -> TensorOrArray:
    """x·σ(x) (also called swish)."""
    return x * sigmoid(x)


class Softplus(Function):
    def __init__(self, beta=1.0, threshold=20.0):
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, a):
        a = as_float(a)
        z = a * self.beta
        # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): no overflow for any z
        smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / self.beta
        return np.where(z > self.threshold, a, smooth)  # linear above the threshold, like PyTorch

    def backward(self, g, out, a):
        # d/da log(1 + e^(βa))/β = σ(βa); 1 where βa > threshold (the linear part)
        linear = to_array(a) * self.beta > self.threshold
        return (where(linear, g, g * sigmoid(a * self.beta)),)


def softplus(x: TensorLike, beta: float = 1.0, threshold: float = 20.0) -> TensorOrArray:
    """log(1 + e^(βx))/β, and x itself where βx > threshold (like PyTorch)."""
    return Softplus(beta, threshold)(x)


def mish(x: TensorLike) -> TensorOrArray:
    """x·tanh(softplus(x))."""
    return x * tanh(softplus(x))


class Hardtanh(Function):
    def __init__(self, min_val=-1.0, max_val=1.0):
        if min_val > max_val:
            raise ValueError(f"hardtanh needs min_val <= max_val, got min_val={min_val} > max_val={max_val}")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, a):
        return np.clip(as_float(a), self.min_val, self.max_val)

    def backward(self, g, out, a):
        # d/da = 1 strictly between min_val and max_val, 0 elsewhere (0 at both ends, like PyTorch)
        values = to_array(a)
        return (where((values > self.min_val) & (values < self.max_val), g, 0),)


def hardtanh(x: TensorLike, min_val: float = -1.0, max_val: float = 1.0) -> TensorOrArray:
    """x clipped to [min_val, max_val]; the gradient is 0 at and beyond both ends."""
    return Hardtanh(min_val, max_val)(x)


def relu6(x: TensorLike) -> TensorOrArray:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6): gradient 0 at 0 and at 6, like PyTorch."""
    return hardtanh(x, 0.0, 6.0)


class Hardsigmoid(Function):
    def forward(self, a):
        return np.clip(as_float(a) + 3, 0, 6) / 6

    def backward(self, g, out, a):
        # d/da = 1/6 strictly between -3 and 3, else 0 (0 at ±3, like PyTorch)
        values = to_array(a)
        return (where((values > -3) & (values < 3), g / 6, 0),)


def hardsigmoid(x: TensorLike) -> TensorOrArray:
    """relu6(x + 3)/6: 0 below -3, 1 above 3, linear between."""
    return Hardsigmoid()(x)


class Hardswish(Function):
    def forward(self, a):
        a = as_float(a)
        return a * np.clip(a + 3, 0, 6) / 6

    def backward(self, g, out, a):
        # d/da = 0 for a <= -3, a/3 + 1/2 for -3 < a < 3, 1 for a >= 3 (PyTorch's sides at ±3)
        values = to_array(a)
        middle = where(values <= -3, 0, g * (a / 3 + 0.5))
        return (where(values < 3, middle, g),)


def hardswish(x: TensorLike) -> TensorOrArray:
    """x·relu6(x + 3)/6."""
    return Hardswish()(x)


def softsign(x: TensorLike) -> TensorOrArray:
    """x / (1 + |x|)."""
    return x / (abs(x) + 1)


@accepts_dim
def softmin(x: TensorLike, axis: int = -1) -> TensorOrArray:
    """softmax(-x) along ``axis`` (or ``dim``): the smallest entries get the largest weights."""
    return softmax(-x, axis=normalize_axis(axis, x.ndim))


__all__ = [
    "gelu",
    "leaky_relu",
    "elu",
    "selu",
    "silu",
    "softplus",
    "mish",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "softsign",
    "softmin",
]
