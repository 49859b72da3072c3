"""Normalisation layers: batch norm and layer norm, as functions and as Modules.

Both are compositions of minigrad's ops (mean, subtraction, mean of squares, sqrt,
reciprocal), so their gradients, second derivatives included, come from the ops'
own backward rules. (A fused op with the closed-form backward measured no faster:
its backward, written with ops for second order, has to recompute the statistics.)

    x̂ = (x - mean) / sqrt(mean((x - mean)²) + eps),    y = x̂ * weight + bias

Batch norm averages over every axis but the channel axis 1 (the batch and any
spatial axes); layer norm over the last axes, given by ``normalized_shape``.
"""

import numbers

import numpy as np

from .. import ops
from ..tensor import Tensor, as_array, to_array
from .module import Module
from .parameter import Parameter

# ----------------------------------------------------------------------- functions


def _as_input(x):
    """A Tensor or ndarray as it is; anything else (a nested list) as an ndarray."""
    return x if isinstance(x, (Tensor, np.ndarray)) else as_array(x)


def _centre_and_scale(x, axes, eps):
    """x - mean and 1 / sqrt(var + eps) over ``axes`` (both with the axes kept), and the biased var.

    The caller multiplies the two: a product with the small inverse standard deviation
    (folded with the weight first, where it can be) has a much cheaper backward than a
    division of the full-size array, and the maths is the same.
    """
    mean = ops.mean(x, axis=axes, keepdims=True)
    centered = x - mean
    var = ops.mean(centered * centered, axis=axes, keepdims=True)
    return centered, 1.0 / ops.sqrt(var + eps), mean, var


def _check_statistic(name, stat, channels):
    """``stat`` (ndarray, Tensor or None) as its ndarray, checked to have shape (channels,)."""
    if stat is None:
        return None
    array = to_array(stat)
    if array.shape != (channels,):
        raise ValueError(f"batch_norm: {name} has shape {array.shape}, expected ({channels},) for {channels} channels")
    return array


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Batch normalisation over axis 1 of ``input`` (N, C, ...), PyTorch's ``F.batch_norm``.

    ``training=True``: normalise with the batch mean and the biased batch variance over
    every axis but 1, and update ``running_mean`` / ``running_var`` in place (if given)
    as ``running = (1 - momentum) * running + momentum * batch``, with the unbiased
    variance going into ``running_var``. ``training=False``: normalise with the running
    statistics. ``weight`` and ``bias`` (C,) scale and shift each channel.
    """
    x = _as_input(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm expects an input of shape (N, C, ...), got shape {tuple(x.shape)}")
    channels = x.shape[1]
    running_mean = _check_statistic("running_mean", running_mean, channels)
    running_var = _check_statistic("running_var", running_var, channels)
    kept = (1, channels) + (1,) * (x.ndim - 2)  # a per-channel value, shaped to broadcast over x
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        count = x.size // channels if channels else 0
        if momentum is None and (running_mean is not None or running_var is not None):
            raise TypeError("batch_norm momentum must be a number (momentum=None is BatchNorm's cumulative average)")
        if count <= 1:
            raise ValueError(
                f"batch_norm in training needs more than 1 value per channel, got input of shape {tuple(x.shape)}"
            )
        centered, inverse_std, mean, var = _centre_and_scale(x, axes, eps)
        _update_running_statistics(running_mean, running_var, mean, var, count, momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm with training=False needs running_mean and running_var (or training=True)")
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        centered = x - running_mean.astype(dtype, copy=False).reshape(kept)
        inverse_std = (1.0 / np.sqrt(running_var.astype(dtype, copy=False) + eps)).reshape(kept)
    # x̂ * weight = centered * (inverse_std * weight): the scale is per channel, so small
    scale = inverse_std if weight is None else inverse_std * ops.reshape(weight, kept)
    out = centered * scale
    if bias is not None:
        out = out + ops.reshape(bias, kept)
    return out


def _update_running_statistics(running_mean, running_var, mean, var, count, momentum):
    """running = (1 - momentum) * running + momentum * batch, in place; the variance unbiased."""
    if running_mean is not None:
        running_mean *= 1.0 - momentum
        running_mean += momentum * to_array(mean).reshape(-1)
    if running_var is not None:
        running_var *= 1.0 - momentum
        running_var += momentum * to_array(var).reshape(-1) * (count / (count - 1))


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the last axes of ``x``, PyTorch's ``F.layer_norm``.

    ``normalized_shape`` (an int or a tuple) must equal the trailing shape of ``x``;
    each slice over those axes is normalised with its own mean and biased variance,
    then scaled by ``weight`` and shifted by ``bias`` (both of ``normalized_shape``).
    """
    x = _as_input(x)
    normalized_shape = _shape_tuple(normalized_shape)
    count = len(normalized_shape)
    if count == 0 or x.ndim < count or tuple(x.shape[-count:]) != normalized_shape:
        raise ValueError(
            f"layer_norm: normalized_shape {normalized_shape} must be the last axes of the input, "
            f"got input of shape {tuple(x.shape)}"
        )
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(value.shape) != normalized_shape:
            raise ValueError(f"layer_norm: {name} has shape {tuple(value.shape)}, expected {normalized_shape}")
    centered, inverse_std, _, _ = _centre_and_scale(x, tuple(range(x.ndim - count, x.ndim)), eps)
    out = centered * inverse_std
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _shape_tuple(shape):
    """An int or a sequence of ints as a tuple of ints."""
    if isinstance(shape, (numbers.Integral)) and not isinstance(shape, bool):
        return (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"normalized_shape must be an int or a tuple of ints, got {shape!r}") from None
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ValueError(f"normalized_shape must hold positive ints, got {shape!r}")
    return tuple(int(n) for n in shape)


# ------------------------------------------------------------------------- modules


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ only in the input shapes they accept."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        if not isinstance(num_features, numbers.Integral) or isinstance(num_features, bool) or num_features <= 0:
            raise ValueError(f"{type(self).__name__} num_features must be a positive int, got {num_features!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__} momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features = int(num_features)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=np.float32))
            self.bias = Parameter(np.zeros(num_features, dtype=np.float32))
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=np.float32))
            self.register_buffer("running_var", np.ones(num_features, dtype=np.float32))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean[...] = 0.0
            self.running_var[...] = 1.0
            self.num_batches_tracked[...] = 0

    def _check_input(self, x):
        if x.ndim not in self.input_ndims:
            expected = " or ".join(f"{n}D" for n in self.input_ndims)
            raise ValueError(
                f"{type(self).__name__} expects {expected} input ({self.layout}), got shape {tuple(x.shape)}"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}) got input of shape {tuple(x.shape)}: "
                f"axis 1 has {x.shape[1]} channels, expected {self.num_features}"
            )

    def forward(self, x):
        self._check_input(x)
        self._warn_if_float64(x)
        momentum = self.momentum if self.momentum is not None else 0.0
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if self.momentum is None:  # a cumulative average of every batch so far
                momentum = 1.0 / float(self.num_batches_tracked)
        # Batch statistics in training, and in eval too when no running ones are kept.
        use_batch_statistics = self.training or self.running_mean is None
        return batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            training=use_batch_statistics,
            momentum=momentum,
            eps=self.eps,
        )

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs over every axis but C, like PyTorch's.

    Learnable ``weight`` (ones) and ``bias`` (zeros) of shape (C,) when ``affine``;
    buffers ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked``
    when ``track_running_stats``. Training uses batch statistics and updates the running
    ones (``momentum=None``: a cumulative average); eval uses the running ones.
    """

    input_ndims, layout = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs over N, H and W, like PyTorch's; see BatchNorm1d."""

    input_ndims, layout = (4,), "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last axes (``normalized_shape``), like PyTorch's LayerNorm.

    With ``elementwise_affine`` a learnable ``weight`` (ones) and ``bias`` (zeros) of
    ``normalized_shape`` scale and shift the result.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=np.float32))
            self.bias = Parameter(np.zeros(self.normalized_shape, dtype=np.float32))
        else:
            self.weight = self.bias = None

    def forward(self, x):
        self._warn_if_float64(x)
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
