"""nn.init: fill a tensor in place with constants or random draws, with PyTorch's fan and gain rules.

Every function writes into ``tensor.data`` (the same array, in its dtype), counts the
write in ``tensor._version`` like an optimizer step, and returns the tensor. They work
with grad mode on, as they only write values (PyTorch runs them under ``no_grad``).
Random draws come from minigrad's global generator, so ``mg.manual_seed`` repeats them.

Fans: for a weight of shape ``(out, in, *kernel)``, ``fan_in = in * prod(kernel)`` and
``fan_out = out * prod(kernel)``, so a Linear weight ``(out, in)`` has ``fan_in = in``.
"""

from __future__ import annotations

import math
import numbers

from ..random import get_generator
from ..tensor import Tensor, bump_version

_LINEAR_NONLINEARITIES = (
    "linear",
    "identity",
    "sigmoid",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as PyTorch's.

    1 for linear, identity, conv and sigmoid; 5/3 for tanh; sqrt(2) for relu;
    sqrt(2 / (1 + slope**2)) for leaky_relu (``param`` is the slope, 0.01 if None);
    3/4 for selu.
    """
    if nonlinearity in _LINEAR_NONLINEARITIES:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill ``tensor`` with draws from the uniform distribution on [a, b)."""
    _check_float(tensor, "uniform_")
    return _write(tensor, get_generator().uniform(a, b, size=tensor.data.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill ``tensor`` with draws from the normal distribution N(mean, std**2)."""
    _check_float(tensor, "normal_")
    if std < 0:
        raise ValueError(f"normal_ needs std >= 0, got {std!r}")
    return _write(tensor, get_generator().normal(mean, std, size=tensor.data.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with the value ``val``."""
    _check_tensor(tensor, "constant_")
    return _write(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros."""
    return constant_(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones."""
    return constant_(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(2.0 / (fan_in + fan_out)) * math.sqrt(3.0)
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He uniform: U(-bound, bound) with ``bound = gain * sqrt(3 / fan)``.

    ``gain = calculate_gain(nonlinearity, a)`` (``a``: the leaky_relu slope); ``fan`` is
    ``fan_in`` (keeps the forward variance) or ``fan_out`` (keeps the backward variance).
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan)`` (see ``kaiming_uniform_``)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std)


# --- helpers -------------------------------------------------------------------------------------


def _check_tensor(tensor, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{name} fills a Tensor (such as a Parameter), got {type(tensor).__name__}")


def _check_float(tensor, name):
    _check_tensor(tensor, name)
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"nn.init.{name} draws floats, but the tensor has dtype {tensor.data.dtype}")


def _write(tensor, values):
    """Write ``values`` into the tensor's own array (cast to its dtype), count the write, return it."""
    tensor.data[...] = values
    bump_version(tensor)
    return tensor


def _fans(tensor, name):
    """``(fan_in, fan_out)`` of a weight shaped ``(out, in, *kernel)``; ValueError below 2-D."""
    _check_tensor(tensor, name)
    shape = tensor.data.shape
    if len(shape) < 2:
        raise ValueError(
            f"nn.init.{name}: fan in and fan out can not be computed for a tensor with fewer than "
            f"2 dimensions (got shape {shape})"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _kaiming_std(tensor, a, mode, nonlinearity, name):
    """``gain / sqrt(fan)`` for the Kaiming inits, or None for a tensor with no elements."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init.{name}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, name)
    if tensor.data.size == 0:
        return None  # nothing to fill (PyTorch warns and returns the tensor too)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]
