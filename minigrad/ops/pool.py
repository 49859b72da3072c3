"""Pooling, like PyTorch's: max and average over sliding windows, and adaptive average pooling.

Max pooling picks one input per window, so it is a gather: ``GatherFlat`` takes the inputs at the
windows' argmax positions, and its gradient ``ScatterFlat`` sends each window's gradient back to that
position. The two are each other's adjoints (and each other's backward), so second order works.
Average pooling is a convolution with a constant kernel; adaptive average pooling is two matrix products
with averaging matrices. Inputs are (N, C, H, W) or (C, H, W) for 2-D, (N, C, L) or (C, L) for 1-D.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Function
from ..tensor import to_array
from ..typing import TensorLike, TensorOrArray
from .conv import Conv, ConvGeometry, int_tuple
from .linalg import matmul
from .shape import reshape


class GatherFlat(Function):
    """The input's values at ``flat_index`` (indices into the flattened input), in the index's shape."""

    saves_tensors = False

    def __init__(self, flat_index, unique):
        self.flat_index, self.unique = flat_index, unique

    def forward(self, x):
        return np.take(x, self.flat_index)  # np.take without an axis indexes the flattened array

    def backward(self, g, out, x):
        return (ScatterFlat(self.flat_index, x.shape, self.unique)(g),)  # each value came from one place: send g back


class ScatterFlat(Function):
    """Zeros of ``shape`` with ``g`` added at ``flat_index`` (repeats accumulate): the adjoint of GatherFlat."""

    saves_tensors = False

    def __init__(self, flat_index, shape, unique):
        self.flat_index, self.shape, self.unique = flat_index, tuple(shape), unique

    def forward(self, g):
        if self.unique:  # windows that do not overlap never pick one input twice: a plain assignment
            out = np.zeros(self.shape, dtype=g.dtype)
            out.reshape(-1)[self.flat_index.reshape(-1)] = g.reshape(-1)
            return out
        size = int(np.prod(self.shape))
        summed = np.bincount(self.flat_index.reshape(-1), weights=g.reshape(-1), minlength=size)
        return summed.astype(g.dtype, copy=False).reshape(self.shape)

    def backward(self, u, out, g):
        return (GatherFlat(self.flat_index, self.unique)(u),)  # the adjoint of scattering is gathering


# --- the functions -----------------------------------------------------------------------


def max_pool1d(
    input: TensorLike,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
) -> TensorOrArray:
    """The maximum of each window of ``kernel_size`` along L: (N, C, L) -> (N, C, Lo) (or (C, L) -> (C, Lo)).

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most kernel_size / 2) adds -inf at both ends.
    The gradient goes to the first maximum of each window, like PyTorch.
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding)


def max_pool2d(
    input: TensorLike,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
) -> TensorOrArray:
    """The maximum of each kh x kw window: (N, C, H, W) -> (N, C, Ho, Wo) (or unbatched (C, H, W)).

    ``kernel_size``, ``stride`` (default: the kernel size) and ``padding`` (-inf, at most half the kernel) are
    ints or (h, w) pairs. The gradient goes to the first maximum of each window in row-major order, like PyTorch.
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding)


def avg_pool1d(
    input: TensorLike,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
) -> TensorOrArray:
    """The mean of each window along L, padded zeros counted (PyTorch's count_include_pad=True)."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding)


def avg_pool2d(
    input: TensorLike,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
) -> TensorOrArray:
    """The mean of each kh x kw window, padded zeros counted (PyTorch's count_include_pad=True)."""
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding)


def adaptive_avg_pool2d(input: TensorLike, output_size: int | tuple[int | None, int | None]) -> TensorOrArray:
    """Average pooling to a fixed output size (oh, ow): (N, C, H, W) -> (N, C, oh, ow) (or unbatched).

    ``output_size`` is an int or a pair, where None keeps the input's size. Output row i averages the input
    rows floor(i·H/oh) to ceil((i+1)·H/oh) - 1 (PyTorch's windows, which overlap when oh does not divide H).
    """
    shape = to_array(input).shape
    if len(shape) not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {shape}")
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, shape[-2:], strict=True))
    if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise ValueError(
            f"adaptive_avg_pool2d: output_size must be ints >= 1 (or None to keep a size), got {output_size!r}"
        )
    if 0 in shape[-2:]:
        raise ValueError(f"adaptive_avg_pool2d: the input's H and W must be > 0, got shape {shape}")
    dtype = np.result_type(to_array(input).dtype, np.float32)
    rows = _averaging_matrix(shape[-2], sizes[0], dtype)  # (oh, H)
    cols = _averaging_matrix(shape[-1], sizes[1], dtype)  # (ow, W)
    return matmul(matmul(rows, input), cols.T)  # out[.., i, j] = Σ_hw rows[i, h] x[.., h, w] cols[j, w]


def _averaging_matrix(size, out_size, dtype):
    """(out_size, size): row i is 1/len over PyTorch's window [floor(i·size/out), ceil((i+1)·size/out))."""
    matrix = np.zeros((out_size, size), dtype=dtype)
    for i in range(out_size):
        start, end = (i * size) // out_size, -(-((i + 1) * size) // out_size)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def pool_arguments(
    name: str,
    dims: int,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None,
    padding: int | tuple[int, ...],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Check a pooling's kernel, stride and padding; return them as tuples of ``dims`` ints."""
    kernel = int_tuple(name, "kernel_size", kernel_size, dims, 1)
    stride = kernel if stride is None else int_tuple(name, "stride", stride, dims, 1)
    padding = int_tuple(name, "padding", padding, dims, 0)
    if any(2 * p > k for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(
            f"{name}: padding should be at most half of the kernel size, got padding={padding} for kernel_size={kernel}"
        )
    return kernel, stride, padding


def _pool_shapes(name, dims, shape, kernel, stride, padding):
    """Check the input's shape and the output size; return the output's spatial size."""
    layout = "(C, L) or (N, C, L)" if dims == 1 else "(C, H, W) or (N, C, H, W)"
    if len(shape) not in (dims + 1, dims + 2):
        raise ValueError(f"{name}: expected a {dims + 1}-D or {dims + 2}-D input {layout}, got shape {shape}")
    out = tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(shape[-dims:], kernel, stride, padding, strict=True))
    if any(o < 1 for o in out):
        raise ValueError(
            f"{name}: the kernel {kernel} does not fit in the input of shape {shape} with padding {padding} "
            f"(output size {out})"
        )
    return out


def _as_2d(dims, kernel, stride, padding):
    """1-D pooling as 2-D with H = 1."""
    return ((1, *kernel), (1, *stride), (0, *padding)) if dims == 1 else (kernel, stride, padding)


def _max_pool(name, dims, x, kernel_size, stride, padding):
    kernel, stride, padding = pool_arguments(name, dims, kernel_size, stride, padding)
    values = to_array(x)
    _pool_shapes(name, dims, values.shape, kernel, stride, padding)
    unique = all(s >= k for s, k in zip(stride, kernel, strict=True))
    kernel, stride, padding = _as_2d(dims, kernel, stride, padding)
    planes = values.reshape(-1, 1, *values.shape[-2:]) if dims == 2 else values.reshape(-1, 1, 1, values.shape[-1])
    index = _argmax_positions(planes, kernel, stride, padding)
    out_shape = values.shape[:-dims] + index.shape[-dims:]
    return GatherFlat(index.reshape(out_shape), unique)(x)


def _argmax_positions(planes, kernel, stride, padding):
    """Flat index into ``planes`` (P, 1, H, W) of each window's first maximum (row-major), shape (P, 1, Ho, Wo)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    count, _, h, w = planes.shape
    padded = planes.astype(np.result_type(planes.dtype, np.float32), copy=False)
    if ph or pw:
        padded = np.pad(padded, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # (P, 1, Ho, Wo, kh, kw)
    ho, wo = windows.shape[2:4]
    first = windows.reshape(count, 1, ho, wo, kh * kw).argmax(axis=-1)  # the first max; a NaN counts as the max
    window_top = (np.arange(ho) * sh - ph)[:, None]
    window_left = np.arange(wo) * sw - pw
    rows, cols = window_top + first // kw, window_left + first % kw
    in_padding = (rows < 0) | (rows >= h) | (cols < 0) | (cols >= w)
    if in_padding.any():  # a window whose real values are all -inf: PyTorch picks its first real position
        rows = np.where(in_padding, np.maximum(window_top, 0), rows)
        cols = np.where(in_padding, np.maximum(window_left, 0), cols)
    return (np.arange(count) * (h * w)).reshape(count, 1, 1, 1) + rows * w + cols


def _avg_pool(name, dims, x, kernel_size, stride, padding):
    kernel, stride, padding = pool_arguments(name, dims, kernel_size, stride, padding)
    shape = to_array(x).shape
    out_size = _pool_shapes(name, dims, shape, kernel, stride, padding)
    kernel, stride, padding = _as_2d(dims, kernel, stride, padding)
    # every channel of every sample alone, as one channel: a convolution with the constant kernel 1 / (kh·kw)
    planes = reshape(x, (-1, 1, *((1,) if dims == 1 else ()), *shape[-dims:]))
    dtype = np.result_type(to_array(x).dtype, np.float32)
    weight = np.full((1, 1, *kernel), 1.0 / (kernel[0] * kernel[1]), dtype=dtype)
    geometry = ConvGeometry(stride, (1, 1), tuple((p, p) for p in padding), 1)
    return reshape(Conv(geometry)(planes, weight), shape[:-dims] + out_size)
