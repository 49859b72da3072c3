"""The loss functions with PyTorch's semantics: cross_entropy, nll_loss, binary cross-entropy, mse_loss.

Here are the argument checks (each failing at the call with a message naming what was wrong)
and the dispatch; the fused ops they call, and the composed references beside them, are in
``minigrad/ops/losses.py``. See docs/cross-entropy.md.
"""

from __future__ import annotations

import numpy as np

from ..ops import astype, logsigmoid
from ..ops.losses import (
    cross_entropy_with_indices,
    cross_entropy_with_probabilities,
    elementwise_binary_cross_entropy,
)
from ..tensor import DEFAULT_FLOAT, Tensor, to_array
from ..typing import TensorLike

REDUCTIONS = ("mean", "sum", "none")


# --- checks shared by the losses -----------------------------------------------------------


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _as_input(x, name="input"):
    if isinstance(x, Tensor):
        return x
    x = Tensor(x)
    if x.dtype.kind != "f":
        raise ValueError(f"{name} must hold floats, got dtype {x.dtype}")
    return x


def _as_float_target(target, input):
    """A float target in the input's dtype; a Tensor stays a Tensor so it can be differentiated."""
    if isinstance(target, Tensor):
        return astype(target, input.dtype)
    return np.asarray(target, dtype=input.dtype)


def _class_count(input, needs):
    """C, the length of the class axis (axis 1, or axis 0 of a single sample)."""
    if input.ndim == 0:
        raise ValueError(f"{needs} with a class axis, got a 0-d input")
    return input.shape[0] if input.ndim == 1 else input.shape[1]


def _class_weights(weight, classes, dtype):
    if weight is None:
        return None
    weight = to_array(weight).astype(dtype)
    if weight.shape != (classes,):
        raise ValueError(f"weight must have one entry per class, shape ({classes},), got shape {weight.shape}")
    return weight


_UNSIGNED = {np.dtype(f"i{size}"): np.dtype(f"u{size}") for size in (1, 2, 4, 8)}


def _check_labels(labels, classes, ignore_index):
    """Fail unless every label is a class or ``ignore_index``; return the mask of rows that count.

    The mask is None when every row counts. One max() over the labels seen as unsigned
    settles the usual case; only when it fails are the labels searched for the bad one.
    """
    if labels.size == 0:
        return None
    # Seen as unsigned, a negative label is huge: one max() checks both ends of 0..C-1.
    unsigned_dtype = _UNSIGNED.get(labels.dtype)  # a dict lookup: making the dtype from its name costs more
    if unsigned_dtype is None:  # already unsigned, or not in native byte order
        unsigned_dtype = labels.dtype.str.replace("i", "u")
    if np.maximum.reduce(labels.view(unsigned_dtype)) < classes:  # every label is a class
        if not 0 <= ignore_index < classes:
            return None
        keep = labels != ignore_index  # a class that is ignore_index doesn't count
        return None if keep.all() else keep
    keep = labels != ignore_index
    wrong = keep & ((labels < 0) | (labels >= classes))
    if wrong.any():
        bad = labels[wrong].flat[0]
        raise IndexError(
            f"target label {bad} is out of range for {classes} classes "
            f"(labels must be in 0..{classes - 1}, or ignore_index={ignore_index})"
        )
    return keep


def _class_rows(x):
    """(N, C, d1, ...) or (C,) as rows (M, C), the class axis last."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    moved = x.transpose(0, *range(2, x.ndim), 1)
    return moved.reshape(-1, x.shape[1])


def _positions_shape(input):
    """The shape of one loss per position: the input's shape without the class axis."""
    return input.shape[1:] if input.ndim == 1 else (input.shape[0],) + input.shape[2:]


def _reduce(losses, reduction):
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def _class_index_labels(input, target):
    """Integer class-index targets, checked against the input's shape, flattened to (M,)."""
    labels = to_array(target)
    expected = _positions_shape(input)
    if labels.shape != expected:
        raise ValueError(
            f"target of shape {labels.shape} does not fit input of shape {input.shape}: class-index "
            f"targets need shape {expected} (or float class probabilities of shape {input.shape})"
        )
    return labels.reshape(-1)


# --- the loss functions ----------------------------------------------------------------------


def _as_logits(input):
    """cross_entropy's input as a Tensor of floats; integer or bool logits fail, naming their dtype."""
    logits = input if isinstance(input, Tensor) else Tensor(input)
    if logits.dtype.kind != "f":
        raise TypeError(
            f"cross_entropy needs floating-point logits, got input of dtype {logits.dtype} and shape "
            f"{logits.shape}; convert it first, e.g. input.astype(np.{DEFAULT_FLOAT})"
        )
    return logits


def _float_target_error(target, dtype, input):
    """The ValueError for a float target that does not have the input's shape (both shapes, the dtype)."""
    positions = _positions_shape(input)
    if tuple(target.shape) == positions:  # one float per position: class labels stored as floats
        return ValueError(
            f"cross_entropy expected integer class indices (int64) for a target of shape {positions} with "
            f"input of shape {input.shape}, got dtype {dtype}; convert the labels, e.g. target.astype(np.int64) "
            f"(a float target is read as class probabilities, which need the input's shape {input.shape})"
        )
    return ValueError(
        f"target of shape {target.shape} and dtype {dtype} does not fit input of shape {input.shape}: "
        f"float class probabilities need the input's shape, integer class indices (int64) need shape {positions}"
    )


def cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy between logits and targets, exactly like ``torch.nn.functional.cross_entropy``.

    ``input``: logits of shape (N, C), (N, C, d1, ...) or (C,). ``target``: integer class
    indices of shape (N,), (N, d1, ...) or (), or float class probabilities of the input's
    shape. One fused, stable op whose gradient is softmax − target.
    """
    input = _as_logits(input)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    classes = _class_count(input, "cross_entropy needs logits")
    weight = _class_weights(weight, classes, input.dtype)
    target_dtype = to_array(target).dtype
    if target_dtype.kind in "iu":
        labels = _class_index_labels(input, target)
        keep = _check_labels(labels, classes, ignore_index)
        losses = cross_entropy_with_indices(_class_rows(input), labels, keep, weight, reduction, label_smoothing)
    elif target_dtype.kind == "f":
        target = _as_float_target(target, input)
        if target.shape != input.shape:
            raise _float_target_error(target, target_dtype, input)
        if ignore_index >= 0:  # PyTorch refuses this too: no class index to compare with
            raise ValueError(
                f"ignore_index={ignore_index} applies only to class-index targets; class-probability "
                "targets cannot ignore a class (leave ignore_index at its default, -100)"
            )
        losses = cross_entropy_with_probabilities(
            _class_rows(input), _class_rows(target), weight, reduction, label_smoothing
        )
    else:
        raise ValueError(f"target must be integer class indices or float class probabilities, got dtype {target_dtype}")
    return losses.reshape(_positions_shape(input)) if reduction == "none" else losses


def nll_loss(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C, ...) at the target classes, like PyTorch."""
    input = _as_input(input)
    _check_reduction(reduction)
    classes = _class_count(input, "nll_loss needs log-probabilities")
    weight = _class_weights(weight, classes, input.dtype)
    if to_array(target).dtype.kind not in "iu":
        raise ValueError(f"nll_loss needs integer class indices, got dtype {to_array(target).dtype}")
    labels = _class_index_labels(input, target)
    keep = _check_labels(labels, classes, ignore_index)
    keep = np.ones(labels.shape, dtype=bool) if keep is None else keep
    safe = np.where(keep, labels, 0)
    label_weight = (keep * (1.0 if weight is None else weight[safe])).astype(input.dtype)
    total_weight = label_weight.sum()
    if reduction == "mean":  # w[y] / Σ w[y] on rows that count, exactly 0 on ignored rows
        with np.errstate(invalid="ignore", divide="ignore"):
            label_weight = np.where(keep, label_weight / total_weight, 0).astype(input.dtype)
    rows = _class_rows(input)
    losses = -(rows[np.arange(len(safe)), safe] * label_weight)  # -w[y]·log p[y]  (d/d log p[y] = -w[y])
    if reduction == "none":
        return losses.reshape(_positions_shape(input))
    loss = losses.sum()
    if reduction == "mean" and total_weight == 0:
        loss = loss + np.nan  # nothing counts: the mean is 0/0 = nan, yet ignored rows get gradient 0 (like PyTorch)
    return loss


def _check_same_shape(input, target, name):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"{name}: target of shape {tuple(target.shape)} does not fit input of shape "
            f"{tuple(input.shape)}; they must be the same"
        )


def _broadcast_factor(values, input, name):
    """``weight`` or ``pos_weight`` as an array in the input's dtype that broadcasts to its shape."""
    array = to_array(values).astype(input.dtype)
    try:
        fits = np.broadcast_shapes(array.shape, input.shape) == tuple(input.shape)
    except ValueError:  # NumPy's own message would not say which argument is wrong
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {array.shape} does not broadcast to the input's shape {tuple(input.shape)}")
    return array


def binary_cross_entropy_with_logits(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    reduction: str = "mean",
    pos_weight: TensorLike | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable formula, for any logit, like PyTorch.

    loss = -w·[pos_weight·t·log σ(x) + (1 - t)·log(1 - σ(x))], with log σ(x) computed as
    min(x, 0) - log(1 + e^-|x|) and log(1 - σ(x)) = log σ(x) - x.
    """
    input = _as_input(input)
    _check_reduction(reduction)
    target = _as_float_target(target, input)
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    log_p = logsigmoid(input)
    log_not_p = log_p - input
    positive = target * log_p
    if pos_weight is not None:
        positive = positive * _broadcast_factor(pos_weight, input, "pos_weight")
    losses = -(positive + (1 - target) * log_not_p)
    if weight is not None:
        losses = losses * _broadcast_factor(weight, input, "weight")
    return _reduce(losses, reduction)


def binary_cross_entropy(
    input: TensorLike, target: TensorLike, weight: TensorLike | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1], each log clamped at -100 like PyTorch."""
    input = _as_input(input)
    _check_reduction(reduction)
    target = _as_float_target(target, input)
    _check_same_shape(input, target, "binary_cross_entropy")
    values = input.data
    if values.size and not (values.min() >= 0 and values.max() <= 1):
        bad = values[~((values >= 0) & (values <= 1))].flat[0]
        raise ValueError(
            f"binary_cross_entropy needs probabilities in [0, 1], got {bad!s}; "
            "for logits use binary_cross_entropy_with_logits"
        )
    losses = elementwise_binary_cross_entropy(input, target)
    if weight is not None:
        losses = losses * _broadcast_factor(weight, input, "weight")
    return _reduce(losses, reduction)


def mse_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """The mean (or sum, or each) of the squared differences between input and target."""
    input = _as_input(input)
    _check_reduction(reduction)
    target = _as_float_target(target, input)
    _check_same_shape(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction)
