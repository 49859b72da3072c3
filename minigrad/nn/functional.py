"""nn.functional: activations, linear, dropout, one_hot and the losses, as plain functions.

The activations and ``linear`` are the engine's ops; the losses live in
``losses.py``. Everything here takes Tensors and returns Tensors.
"""

from __future__ import annotations

import numpy as np

from ..ops import linear, log_softmax, logsigmoid, relu, sigmoid, softmax, tanh
from ..ops.activations import (
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    mish,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
)
from ..ops.conv import conv1d, conv2d
from ..ops.pool import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from ..random import get_generator
from ..tensor import Tensor
from ..typing import TensorLike, TensorOrArray
from .attention import scaled_dot_product_attention
from .embedding import embedding
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from .normalization import batch_norm, layer_norm

__all__ = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "logsigmoid",
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
    "linear",
    "dropout",
    "one_hot",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "conv1d",
    "conv2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "batch_norm",
    "layer_norm",
    "embedding",
    "scaled_dot_product_attention",
]


def dropout(x: TensorOrArray, p: float = 0.5, training: bool = True) -> TensorOrArray:
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by 1/(1-p).

    The identity when ``training`` is False (or p is 0). The mask comes from the
    global generator, so ``mg.manual_seed`` makes it repeatable.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = get_generator().random(np.shape(x.data if isinstance(x, Tensor) else x)) >= p
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)  # d/dx = mask / (1 - p)


def one_hot(labels: TensorLike, num_classes: int = -1) -> Tensor:
    """Integer labels of any shape as one-hot rows: shape (..., num_classes), int64, no gradient.

    ``num_classes=-1`` takes one more than the largest label, like PyTorch.
    """
    values = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if values.dtype.kind not in "iu":
        raise ValueError(f"one_hot needs integer labels, got dtype {values.dtype}")
    if num_classes == -1:
        num_classes = int(values.max()) + 1 if values.size else 0
    wrong = (values < 0) | (values >= num_classes)
    if wrong.any():
        raise IndexError(f"label {values[wrong].flat[0]} is out of range for {num_classes} classes")
    return Tensor._from_op(np.eye(num_classes, dtype=np.int64)[values])
