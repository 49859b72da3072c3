"""Convolution and pooling layers: Conv1d, Conv2d, MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool2d, like PyTorch's."""

import math

import numpy as np

from ..ops.conv import conv1d, conv2d, int_tuple
from ..ops.pool import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, pool_arguments
from ..random import get_generator
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    """What Conv1d and Conv2d share: argument checks, PyTorch's initialisation, the repr."""

    dims = None  # 1 or 2
    convolve = None  # conv1d or conv2d

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True):
        super().__init__()
        name = type(self).__name__
        for what, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: {what} must be an int >= 1, got {value!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}"
            )
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, self.dims, 1)
        self.stride = int_tuple(name, "stride", stride, self.dims, 1)
        self.dilation = int_tuple(name, "dilation", dilation, self.dims, 1)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of 'valid', 'same'")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = int_tuple(name, "padding", padding, self.dims, 0)
        # PyTorch's kaiming_uniform_(a=sqrt(5)) gives the bound 1/sqrt(fan_in), for the weight and the bias alike
        fan_in = in_channels // groups * math.prod(self.kernel_size)
        bound = 1.0 / math.sqrt(fan_in)
        rng = get_generator()
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(rng.uniform(-bound, bound, size=shape).astype(np.float32))
        self.bias = Parameter(rng.uniform(-bound, bound, size=(out_channels,)).astype(np.float32)) if bias else None

    def forward(self, x):
        return self.convolve(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L) inputs; weight (out_channels, in_channels / groups, k), bias (out_channels,).

    Initialised like PyTorch: weight and bias uniform in ±1/sqrt(fan_in), fan_in = in_channels / groups · k,
    drawn (weight first, then bias) from minigrad's global generator, in float32.
    """

    dims = 1
    convolve = staticmethod(conv1d)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W) inputs; weight (out_channels, in_channels / groups, kh, kw), bias (out,).

    Initialised like PyTorch: weight and bias uniform in ±1/sqrt(fan_in), fan_in = in_channels / groups · kh · kw,
    drawn (weight first, then bias) from minigrad's global generator, in float32.
    """

    dims = 2
    convolve = staticmethod(conv2d)


class _PoolNd(Module):
    """What the max and average pooling layers share: the checked arguments and the repr."""

    dims = None
    pool = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        pool_arguments(type(self).__name__, self.dims, kernel_size, stride, padding)  # fail here, not at the call
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride  # PyTorch keeps the values as given
        self.padding = padding

    def forward(self, x):
        return self.pool(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1d(_PoolNd):
    """The maximum over windows along L (see ``F.max_pool1d``)."""

    dims, pool = 1, staticmethod(max_pool1d)


class MaxPool2d(_PoolNd):
    """The maximum over kh x kw windows (see ``F.max_pool2d``)."""

    dims, pool = 2, staticmethod(max_pool2d)


class AvgPool1d(_PoolNd):
    """The mean over windows along L, padded zeros counted (see ``F.avg_pool1d``)."""

    dims, pool = 1, staticmethod(avg_pool1d)


class AvgPool2d(_PoolNd):
    """The mean over kh x kw windows, padded zeros counted (see ``F.avg_pool2d``)."""

    dims, pool = 2, staticmethod(avg_pool2d)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed (oh, ow) output, whatever the input's size (see ``F.adaptive_avg_pool2d``)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
