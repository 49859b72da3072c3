"""Convolution, like PyTorch's ``conv1d`` and ``conv2d``: NCHW layout, im2col forward, three adjoint Functions.

``Conv(x, w)`` correlates the zero-padded input with the kernel (what PyTorch and every deep-learning
library call convolution):

    out[n, o, i, j] = Σ_{c, p, q} xpad[n, c, i·sh + p·dh, j·sw + q·dw] · w[o, c, p, q]

where (sh, sw) is the stride, (dh, dw) the dilation, and with ``groups`` the channels c run over
o's group only. The output is bilinear in (x, w), so B(x, w, g) = <conv(x, w), g> is linear in each of
its three arguments, and its three partial derivatives are the three Functions of this file:

    ∂B/∂g = Conv(x, w)                  the convolution itself
    ∂B/∂x = ConvTransposeInput(g, w)    the gradient wrt the input: a "transposed convolution"
    ∂B/∂w = ConvWeightGrad(x, g)        the gradient wrt the weight: a correlation of x with g

Each one's backward is made of the other two (see their comments), so a gradient of a gradient is again
made of these three, and second (and higher) derivatives need no more code. A 1-D convolution is a 2-D
one with H = 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Function
from ..tensor import Tensor, as_array
from ..typing import TensorLike, TensorOrArray
from .shape import expand_dims, reshape, squeeze


class ConvGeometry(NamedTuple):
    """How a kernel slides over the input; every entry is for the two spatial axes (H, W)."""

    stride: tuple  # (sh, sw)
    dilation: tuple  # (dh, dw)
    padding: tuple  # ((top, bottom), (left, right)), zeros added around the input
    groups: int


def _padded(x, padding):
    """``x`` (N, C, H, W) with zeros around it, as ``padding`` says (``x`` itself when there are none)."""
    (top, bottom), (left, right) = padding
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = np.zeros((n, c, top + h + bottom, left + w + right), dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def _columns(x, kernel_hw, geometry):
    """im2col: every receptive field of ``x`` as a column, shape (N, G, Cg·kh·kw, Ho·Wo), and (Ho, Wo).

    The windows are a strided view of the padded input (no copy); the reshape into columns is the one copy.
    A column's entries are ordered (c, p, q), like a row of the weight reshaped to (O, Cg·kh·kw).
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_hw, geometry.stride, geometry.dilation
    reach = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)  # the dilated kernel's extent
    windows = sliding_window_view(_padded(x, geometry.padding), reach, axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, kh, kw), still a view
    n, c, ho, wo = windows.shape[:4]
    columns = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, geometry.groups, c // geometry.groups * kh * kw, ho * wo)
    return columns, (ho, wo)


class Conv(Function):
    """The convolution of x (N, C, H, W) with w (O, C / groups, kh, kw): shape (N, O, Ho, Wo)."""

    def __init__(self, geometry):
        self.geometry = geometry

    def forward(self, x, w):
        out_channels, _, kh, kw = w.shape
        columns, (ho, wo) = _columns(x, (kh, kw), self.geometry)  # (N, G, K, L)
        # Kept for the weight's gradient: recomputing them cost ~7% of a 3x3 conv's forward + backward,
        # keeping them costs their memory until backward (PyTorch's CPU im2col kept them too).
        self.columns = columns
        n, groups, k, _ = columns.shape
        out = w.reshape(groups, out_channels // groups, k) @ columns  # one matmul, batched over N and the groups
        return out.reshape(n, out_channels, ho, wo)

    def backward(self, g, out, x, w):
        # out = conv(x, w) is linear in each:  d/dx = the transposed convolution of g with w,
        #                                      d/dw = the correlation of x with g
        gx = ConvTransposeInput(self.geometry, x.shape[2:])(g, w) if self.needs[0] else None
        gw = ConvWeightGrad(self.geometry, w.shape[2:], self.columns)(x, g) if self.needs[1] else None
        self.columns = None  # used once; a second backward (retain_graph) recomputes them
        return gx, gw


class ConvTransposeInput(Function):
    """The gradient of <conv(x, w), g> wrt x: each output pixel's g sent back, through w, to the inputs it read.

    Shape (N, C, H, W) for g (N, O, Ho, Wo) and w (O, C / groups, kh, kw); ``input_hw`` is (H, W), which
    g's shape does not determine when the stride does not divide the input.
    """

    def __init__(self, geometry, input_hw):
        self.geometry, self.input_hw = geometry, tuple(input_hw)

    def forward(self, g, w):
        n, out_channels, ho, wo = g.shape
        _, group_channels, kh, kw = w.shape
        groups = self.geometry.groups
        (sh, sw), (dh, dw) = self.geometry.stride, self.geometry.dilation
        (top, bottom), (left, right) = self.geometry.padding
        h, wd = self.input_hw
        g_rows = g.reshape(n, groups, out_channels // groups, ho * wo)
        # w[:, :, p, q] for each kernel offset, transposed per group: (kh·kw, G, Cg, Og), contiguous for BLAS
        w_offsets = w.reshape(groups, out_channels // groups, group_channels, kh * kw).transpose(3, 0, 2, 1).copy()
        gxp = np.zeros((n, groups * group_channels, top + h + bottom, left + wd + right), dtype=g_rows.dtype)
        for p in range(kh):
            for q in range(kw):
                # out[i, j] read xpad[i·sh + p·dh, j·sw + q·dw] through w[:, :, p, q]: send g back there
                block = (w_offsets[p * kw + q] @ g_rows).reshape(n, groups * group_channels, ho, wo)
                gxp[:, :, p * dh : p * dh + (ho - 1) * sh + 1 : sh, q * dw : q * dw + (wo - 1) * sw + 1 : sw] += block
        return gxp[:, :, top : top + h, left : left + wd]  # the padding's gradient is dropped

    def backward(self, u, out, g, w):
        # <T(g, w), u> = B(u, w, g), so:  d/dg = ∂B/∂g at (u, w) = conv(u, w),
        #                                 d/dw = ∂B/∂w at (u, g) = the correlation of u with g
        gg = Conv(self.geometry)(u, w) if self.needs[0] else None
        gw = ConvWeightGrad(self.geometry, w.shape[2:])(u, g) if self.needs[1] else None
        return gg, gw


class ConvWeightGrad(Function):
    """The gradient of <conv(x, w), g> wrt w: Σ over the batch and the pixels of g times the input under it.

    Shape (O, C / groups, kh, kw) for x (N, C, H, W) and g (N, O, Ho, Wo); ``kernel_hw`` is (kh, kw).
    ``columns``, if given, are x's im2col columns, already made by the forward Conv.
    """

    def __init__(self, geometry, kernel_hw, columns=None):
        self.geometry, self.kernel_hw, self.columns = geometry, tuple(kernel_hw), columns

    def forward(self, x, g):
        columns = self.columns if self.columns is not None else _columns(x, self.kernel_hw, self.geometry)[0]
        self.columns = None
        n, groups, k, pixels = columns.shape
        out_channels = g.shape[1]
        g_rows = g.reshape(n, groups, out_channels // groups, pixels)
        gw = (g_rows @ columns.swapaxes(-1, -2)).sum(axis=0)  # (G, Og, K): per sample g @ colsᵀ, summed
        return gw.reshape(out_channels, k // (self.kernel_hw[0] * self.kernel_hw[1]), *self.kernel_hw)

    def backward(self, v, out, x, g):
        # <W(x, g), v> = B(x, v, g), so:  d/dx = ∂B/∂x at (v, g) = the transposed convolution of g with v,
        #                                 d/dg = ∂B/∂g at (x, v) = conv(x, v)
        gx = ConvTransposeInput(self.geometry, x.shape[2:])(g, v) if self.needs[0] else None
        gg = Conv(self.geometry)(x, v) if self.needs[1] else None
        return gx, gg


# --- the functions and their argument checks ----------------------------------------------


def conv1d(
    input: TensorLike,
    weight: TensorLike,
    bias: TensorLike | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] | str = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> TensorOrArray:
    """1-D convolution, like PyTorch's: input (N, C, L) or (C, L), weight (O, C / groups, k), bias (O,).

    ``padding`` is an int, a 1-tuple, "valid" (none) or "same" (output as long as the input; stride 1 only).
    Returns (N, O, Lo) (or (O, Lo) for an unbatched input), Lo = (L + 2·padding - dilation·(k - 1) - 1) // stride + 1.
    """
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: TensorLike,
    weight: TensorLike,
    bias: TensorLike | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] | str = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> TensorOrArray:
    """2-D convolution, like PyTorch's: input (N, C, H, W) or (C, H, W), weight (O, C / groups, kh, kw), bias (O,).

    ``stride`` and ``dilation`` are ints or (h, w) pairs; ``padding`` an int, an (h, w) pair, "valid" (none)
    or "same" (output as large as the input; stride 1 only; an odd total puts the extra zero at the bottom/right).
    Returns (N, O, Ho, Wo) (or (O, Ho, Wo) for an unbatched input).
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _convolution(name, dims, x, w, bias, stride, padding, dilation, groups):
    """conv1d and conv2d: check everything, lift to batched 2-D, convolve, add the bias, drop the lifted axes."""
    x, w = _tensor_or_array(x), _tensor_or_array(w)
    geometry = conv_geometry(name, dims, x.shape, w.shape, stride, padding, dilation, groups)
    out_channels = w.shape[0]
    if bias is not None:
        bias = _tensor_or_array(bias)
        if bias.shape != (out_channels,):
            raise ValueError(f"{name}: bias of shape {bias.shape} does not fit {out_channels} output channels")
    unbatched = x.ndim == dims + 1
    if unbatched:
        x = expand_dims(x, 0)
    if dims == 1:  # (N, C, L) as (N, C, 1, L)
        x, w = expand_dims(x, 2), expand_dims(w, 2)
    out = Conv(geometry)(x, w)
    if dims == 1:
        out = squeeze(out, 2)
    if unbatched:
        out = squeeze(out, 0)
    if bias is not None:
        out = out + reshape(bias, (out_channels,) + (1,) * dims)  # broadcast over the pixels (and the batch)
    return out


def _tensor_or_array(value):
    return value if isinstance(value, (Tensor, np.ndarray)) else as_array(value)


def int_tuple(name: str, what: str, value: int | Sequence[int], dims: int, minimum: int) -> tuple[int, ...]:
    """``value`` (an int, or a tuple of ``dims`` ints) as a tuple of ``dims`` ints >= ``minimum``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(values) != dims or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{name}: {what} must be an int or a tuple of {dims} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{name}: {what} must be >= {minimum}, got {value!r}")
    return tuple(int(v) for v in values)


def _padding_pairs(name, padding, dims, stride, dilation, kernel):
    """(before, after) zeros for each spatial axis, from an int, a tuple, "valid" or "same"."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding != "same":
            raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of 'valid', 'same'")
        if any(s != 1 for s in stride):
            raise ValueError(f"{name}: padding='same' is not supported for strided convolutions (stride={stride})")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
        return tuple((total // 2, total - total // 2) for total in totals)  # an odd total: the extra one after
    try:
        pads = int_tuple(name, "padding", padding, dims, 0)
    except ValueError:
        raise ValueError(
            f"{name}: padding must be an int >= 0, a tuple of {dims} such ints, 'valid' or 'same', got {padding!r}"
        ) from None
    return tuple((p, p) for p in pads)


def conv_geometry(
    name: str,
    dims: int,
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: int | tuple[int, ...],
    padding: int | tuple[int, ...] | str,
    dilation: int | tuple[int, ...],
    groups: int,
) -> ConvGeometry:
    """Check a convolution's shapes and arguments (errors name them) and return its 2-D ConvGeometry."""
    spatial = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
    if len(x_shape) not in (dims + 1, dims + 2):
        raise ValueError(
            f"{name}: expected a {dims + 1}-D (unbatched) or {dims + 2}-D input {spatial}, got shape {x_shape}"
        )
    if len(w_shape) != dims + 2:
        raise ValueError(
            f"{name}: expected a {dims + 2}-D weight (out_channels, in_channels / groups, kernel...), "
            f"got shape {w_shape}"
        )
    stride = int_tuple(name, "stride", stride, dims, 1)
    dilation = int_tuple(name, "dilation", dilation, dims, 1)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{name}: groups must be an int >= 1, got {groups!r}")
    if w_shape[0] % groups:
        raise ValueError(f"{name}: groups={groups} does not divide the weight's {w_shape[0]} output channels")
    channels = x_shape[-dims - 1]
    if channels != w_shape[1] * groups:
        raise ValueError(
            f"{name}: expected input with {w_shape[1] * groups} channels (weight {w_shape}, groups={groups}), "
            f"got input of shape {x_shape}"
        )
    kernel = w_shape[2:]
    pads = _padding_pairs(name, padding, dims, stride, dilation, kernel)
    padded = tuple(n + before + after for n, (before, after) in zip(x_shape[-dims:], pads, strict=True))
    reach = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True))
    if any(k < 1 for k in kernel) or any(r > n for r, n in zip(reach, padded, strict=True)):
        raise ValueError(
            f"{name}: the kernel {kernel} (dilation {dilation}: spanning {reach}) does not fit in the padded "
            f"input {padded} (input of shape {x_shape}, padding {padding!r})"
        )
    if dims == 1:  # lift to 2-D: H = 1, nothing happens along it
        stride, dilation, pads = (1, *stride), (1, *dilation), ((0, 0), *pads)
    return ConvGeometry(stride, dilation, pads, int(groups))
