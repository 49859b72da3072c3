"""Metrics: accuracy, log loss, and entropy / cross-entropy / KL divergence of distributions.

Every function takes Tensors (their ``.data`` is used, no graph is built), ndarrays or
nested lists, and returns a Python float for a scalar result or an ndarray otherwise,
never a Tensor. Logarithms are natural (results in nats).
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from .tensor import Tensor
from .typing import TensorLike


def _array(x):
    """The values of a Tensor, ndarray or nested list as an ndarray."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _result(value):
    """A 0-d result as a Python float, anything else as an ndarray."""
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value


# --- classification -----------------------------------------------------------------------


def accuracy(logits_or_pred: TensorLike, target: TensorLike) -> float:
    """The fraction of predictions equal to ``target``, as a Python float.

    ``logits_or_pred`` is read by the rules of ``count_correct`` (labels of ``target``'s
    shape, scores with a class axis, or scores against class-probability targets). A
    single score per sample (binary logits) is not guessed at: threshold it yourself,
    e.g. ``accuracy(logits > 0, target)``. ``mg.train.fit`` and ``evaluate`` count their
    accuracy with the same rules.
    """
    correct, counted = count_correct(logits_or_pred, target)
    if counted == 0:
        raise ValueError("accuracy of zero samples is undefined")
    return correct / counted


def count_correct(
    output: TensorLike, target: TensorLike, threshold: float | None = None, ignore_index: int | None = None
) -> tuple[int, int]:
    """``(correct, counted)``: how many predictions in ``output`` match ``target`` and how many count.

    This is the one rule behind ``accuracy`` and the accuracy of ``mg.train.fit`` /
    ``evaluate``. ``output`` is read as:

    - binary scores, when ``threshold`` is given (fit passes 0 for ``BCEWithLogitsLoss``
      logits, 0.5 for ``BCELoss`` probabilities): the prediction is ``output > threshold``,
      the truth ``target > 0.5``; both have the same shape and every element counts
      (several columns are several binary labels);
    - scores with a class axis, when it has one axis more than ``target`` (``(N, C)`` for
      targets ``(N,)``, ``(N, C, d1, ...)`` for ``(N, d1, ...)``, ``(C,)`` for a single
      target, like ``F.cross_entropy``): the prediction is the argmax over the class axis
      (axis 1, or 0 for one sample), compared with integer-valued labels;
    - scores against class-probability targets, when both are floating arrays of the same
      shape with at least 2 axes (how ``F.cross_entropy`` reads a float target of its
      input's shape): the argmaxes over axis 1 are compared;
    - labels, when it has ``target``'s shape otherwise: its values must be whole numbers.

    With ``ignore_index``, label targets equal to it are not counted. Anything else
    raises ValueError naming both shapes.
    """
    pred = _array(output)
    target = _array(target)
    if threshold is not None:
        if pred.shape != target.shape:
            raise ValueError(
                f"binary scores of shape {pred.shape} do not fit targets of shape {target.shape}: "
                "they must have the same shape"
            )
        predicted = pred > threshold
        return int(np.sum(predicted == (target > 0.5))), int(predicted.size)
    if pred.shape == target.shape and pred.ndim >= 2 and pred.dtype.kind == "f" and target.dtype.kind == "f":
        return int(np.sum(pred.argmax(axis=1) == target.argmax(axis=1))), int(target.size // target.shape[1])
    if pred.ndim == target.ndim + 1 and _without_class_axis(pred.shape) == target.shape:
        pred = _argmax_over_class_axis(pred)
        if target.dtype.kind in "fc" and not np.all(target == np.round(target)):
            raise ValueError(
                f"targets of shape {target.shape} for scores of shape {_array(output).shape} must be "
                "class labels (whole numbers), got non-integer values"
            )
    elif pred.shape == target.shape:
        if pred.dtype.kind in "fc" and not np.all(pred == np.round(pred)):
            raise ValueError(
                "predictions of target's shape must be labels, got non-integer values; pass "
                "scores with a class axis, or threshold binary scores (logits > 0)"
            )
    else:
        raise ValueError(
            f"predictions of shape {pred.shape} do not fit targets of shape {target.shape}: "
            "expected labels of the target's shape, or scores with one more axis (the class axis, axis 1)"
        )
    counts = np.ones(target.shape, dtype=bool) if ignore_index is None else target != ignore_index
    return int(np.sum((pred == target) & counts)), int(np.sum(counts))


def _class_axis(shape):
    """The class axis of scores of this shape: axis 1, or axis 0 for a single sample's ``(C,)``."""
    return 0 if len(shape) == 1 else 1


def _without_class_axis(shape):
    """The shape of the labels that scores of ``shape`` pick."""
    axis = _class_axis(shape)
    return shape[:axis] + shape[axis + 1 :]


def _argmax_over_class_axis(scores):
    """The label each score vector picks: argmax over the class axis."""
    class_axis = _class_axis(scores.shape)
    if scores.shape[class_axis] < 2:
        raise ValueError(
            f"scores of shape {scores.shape} have {scores.shape[class_axis]} class; for one "
            "binary score per sample pass labels, e.g. accuracy(logits > 0, target)"
        )
    return scores.argmax(axis=class_axis)


def log_loss(y_true: ArrayLike, y_prob: TensorLike, labels: ArrayLike | None = None) -> float:
    """Mean negative log-likelihood of the true labels, the same value as scikit-learn's ``log_loss``.

    ``y_true`` holds labels (any sortable values); the classes are the sorted unique
    values of ``labels`` if given (for classes absent from ``y_true``) or of ``y_true``,
    and column ``j`` of ``y_prob`` is the probability of the ``j``-th class. ``y_prob``
    is ``(N, C)``, or for two classes ``(N,)`` / ``(N, 1)`` holding the probability of
    the second (positive) class. Like scikit-learn: probabilities must lie in [0, 1];
    rows that do not sum to 1 only warn; values are clipped to ``[eps, 1 - eps]`` with
    ``eps`` the machine epsilon of ``y_prob``'s float dtype, without renormalising.
    """
    y_true, y_prob = _checked_log_loss_inputs(y_true, y_prob)
    classes = np.unique(y_true if labels is None else _array(labels))
    if labels is not None:
        if not np.array_equal(classes, _array(labels)):
            warnings.warn(
                f"labels {_array(labels).tolist()} are not sorted; like scikit-learn, the columns "
                f"of y_prob are taken to be the sorted classes {classes.tolist()}",
                UserWarning,
                stacklevel=2,
            )
        unknown = np.setdiff1d(y_true, classes)
        if unknown.size:
            raise ValueError(f"y_true contains values {unknown.tolist()} not in labels {classes.tolist()}")
    if len(classes) < 2:
        raise ValueError(
            f"log_loss needs at least two classes, found {classes.tolist()}; pass every possible class through labels="
        )

    if y_prob.ndim == 1:
        y_prob = y_prob[:, None]
    if y_prob.shape[1] == 1:
        y_prob = np.concatenate([1 - y_prob, y_prob], axis=1)
    if y_prob.shape[1] != len(classes):
        raise ValueError(
            f"y_prob has {y_prob.shape[1]} columns but there are {len(classes)} classes "
            f"{classes.tolist()}; pass the full list of classes through labels="
        )

    eps = np.finfo(y_prob.dtype).eps
    if not np.allclose(y_prob.sum(axis=1), 1, rtol=np.sqrt(eps), atol=0):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.", UserWarning, stacklevel=2
        )
    y_prob = np.clip(y_prob, eps, 1 - eps)
    true_column = np.searchsorted(classes, y_true)
    per_sample = -np.log(y_prob[np.arange(len(y_true)), true_column])
    return float(np.mean(per_sample))


def _checked_log_loss_inputs(y_true, y_prob):
    """``y_true`` and ``y_prob`` (as floats) as arrays, their shapes and the probabilities' range checked."""
    y_true = _array(y_true)
    y_prob = _array(y_prob)
    if y_prob.dtype.kind != "f":
        y_prob = y_prob.astype(np.float64)
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be a 1-D array of labels, got shape {y_true.shape}")
    if y_prob.ndim not in (1, 2) or len(y_prob) != len(y_true):
        raise ValueError(
            f"y_prob must have shape (N,) or (N, C) with N = len(y_true) = {len(y_true)}, got shape {y_prob.shape}"
        )
    if y_prob.size and y_prob.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: {y_prob.max()}")
    if y_prob.size and y_prob.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: {y_prob.min()}")
    return y_true, y_prob


# --- distributions ------------------------------------------------------------------------


def entropy(p: TensorLike, axis: int = -1) -> float | np.ndarray:
    """Shannon entropy ``H(P) = -sum p log p`` along ``axis`` in nats, with ``0 log 0 = 0``.

    ``p`` must hold probability distributions along ``axis`` (non-negative, summing to
    1); a float for a single distribution, an ndarray of entropies otherwise.
    """
    p = _distribution("p", p, axis)
    return _result(0.0 - np.sum(_p_log_q(p, p), axis=axis))  # 0.0 - x: no -0.0


def cross_entropy(p: TensorLike, q: TensorLike, axis: int = -1) -> float | np.ndarray:
    """Cross-entropy ``H(P, Q) = -sum p log q`` along ``axis`` in nats (``inf`` where q = 0 < p).

    For P = (0.5, 0.5), Q = (0.7, 0.3): ``-(0.5 log 0.7 + 0.5 log 0.3) = 0.7803``.
    Terms with ``p = 0`` count 0, whatever ``q`` is.
    """
    p, q = _distribution_pair(p, q, axis)
    return _result(0.0 - np.sum(_p_log_q(p, q), axis=axis))


def kl_divergence(p: TensorLike, q: TensorLike, axis: int = -1) -> float | np.ndarray:
    """Kullback-Leibler divergence ``KL(P || Q) = sum p log(p / q)`` along ``axis`` in nats.

    Terms with ``p = 0`` count 0; a ``q = 0`` where ``p > 0`` gives ``inf``.
    Equals ``cross_entropy(p, q) - entropy(p)``.
    """
    p, q = _distribution_pair(p, q, axis)
    terms = _p_log_q(p, p) - _p_log_q(p, q)  # both terms are 0 where p = 0
    return _result(np.sum(terms, axis=axis))


def _distribution_pair(p, q, axis):
    """``p`` and ``q`` checked as distributions along ``axis`` and against each other's shape."""
    p = _distribution("p", p, axis)
    q = _distribution("q", q, axis)
    try:
        np.broadcast_shapes(p.shape, q.shape)
    except ValueError:
        raise ValueError(f"p of shape {p.shape} and q of shape {q.shape} do not broadcast together") from None
    return p, q


def _p_log_q(p, q):
    """Elementwise ``p * log(q)``, 0 where p = 0 (even if q = 0), -inf where q = 0 < p."""
    p, q = np.broadcast_arrays(p, q)
    positive_q = q > 0
    log_q = np.where(positive_q, np.log(np.where(positive_q, q, 1.0)), -np.inf)
    return p * np.where(p > 0, log_q, 0.0)


def _distribution(name, values, axis):
    """``values`` as a float array, checked to be probability distributions along ``axis``.

    Raises ValueError naming the first slice (``p[1, :]``) with a negative entry or a sum
    off 1 by more than ``sqrt(eps)`` of the dtype (1.5e-8 for float64, 3.5e-4 for float32).
    """
    p = _array(values)
    if p.dtype.kind != "f":
        p = p.astype(np.float64)
    if p.ndim == 0:
        raise ValueError(f"{name} must hold at least one distribution along axis {axis}, got a scalar")
    axis = axis % p.ndim if -p.ndim <= axis < p.ndim else None
    if axis is None:
        raise ValueError(f"axis is out of range for {name} of shape {p.shape}")
    tolerance = np.sqrt(np.finfo(p.dtype).eps)
    negative = np.any(p < 0, axis=axis)
    if np.any(negative):
        where = _first_index(negative)
        row = _slice(p, where, axis)
        raise ValueError(
            f"{_name_slice(name, where, axis, p.ndim)} has a negative probability "
            f"{row[row < 0][0]}: probabilities must be >= 0"
        )
    sums = np.sum(p, axis=axis)
    off = ~(np.abs(sums - 1) <= tolerance)  # NaN counts as off
    if np.any(off):
        where = _first_index(off)
        total = float(np.asarray(sums)[where])
        raise ValueError(
            f"{_name_slice(name, where, axis, p.ndim)} sums to {total:.6g}, expected 1 (within {tolerance:.2g})"
        )
    return p


def _first_index(mask):
    """The index tuple of the first True in ``mask`` (``()`` for a 0-d mask)."""
    return tuple(int(i) for i in np.argwhere(np.asarray(mask))[0])


def _slice(p, where, axis):
    index = list(where)
    index.insert(axis, slice(None))
    return p[tuple(index)]


def _name_slice(name, where, axis, ndim):
    """``p`` for a single distribution, ``p[1, :]`` (``:`` at ``axis``) for one slice of many."""
    if ndim == 1:
        return name
    parts = [str(i) for i in where]
    parts.insert(axis, ":")
    return f"{name}[{', '.join(parts)}]"
