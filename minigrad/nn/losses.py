"""Losses with PyTorch's semantics: the fused softmax cross-entropy, nll, binary cross-entropy, mse.

Cross-entropy is one fused op. Both of its forms reduce to one formula: with
``q[n, c]`` the weight the target puts on class c for sample n (a one-hot row,
a probability row, smoothed or scaled by class weights),

    loss_n = -Σ_c q[n, c] · log softmax(x_n)_c
    d loss_n / d x_n = softmax(x_n) · Σ_c q[n, c] − q[n]      (softmax − target)

so the gradient never goes through a softmax, a log and a gather. See
docs/cross-entropy.md for the derivation.
"""

import numpy as np

from ..autograd import Function
from ..ops import astype, exp, log, log_softmax, logsigmoid, maximum, softmax
from ..tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


# --- the fused cross-entropy ops ----------------------------------------------------------


class CrossEntropyWithIndices(Function):
    """Softmax cross-entropy of logits (M, C) against class indices (M,), reduced or not.

    ``keep`` marks the rows that count (False where the label is ``ignore_index``), or is
    None when every row counts. A per-row factor that is the same on every row (1 with no
    weights, nothing ignored) is kept as one number, so the common case costs no arrays.
    """

    def __init__(self, labels, keep, weight, reduction, smoothing):
        self.keep = keep
        self.labels = labels if keep is None else np.where(keep, labels, 0)  # ignored rows point at class 0
        self.weight, self.reduction, self.smoothing = weight, reduction, smoothing

    def forward(self, logits):
        count, classes = logits.shape
        eps, weight = self.smoothing, self.weight
        # q puts (1 - eps)·w[y] on the label and eps/C·w[c] on every class c (rows that count).
        # Per-row factors are arrays in the logits' dtype or plain numbers, so float32 stays float32.
        self.counts = 1.0 if self.keep is None else self.keep.astype(logits.dtype)  # 1 on rows that count, else 0
        self.label_weight = self.counts if weight is None else weight[self.labels] * self.counts  # w[y]
        self.row_total = self.label_weight * (1 - eps)  # Σ_c q[n, c]
        if eps > 0:
            weight_total = classes if weight is None else weight.sum()
            self.row_total = self.row_total + self.counts * (eps / classes * weight_total)

        shifted = logits - logits.max(axis=1, keepdims=True)  # the one temporary of the logits' size
        # Each row's label as an index into the flattened (row-major) logits: one take()
        # reads the label's logit, where [rows, labels] would cost twice as much.
        self.at_labels = np.arange(0, count * classes, classes) + self.labels
        picked = shifted.take(self.at_labels)
        smooth = None
        if eps > 0:
            smooth = shifted.sum(axis=1) if weight is None else shifted @ weight  # Σ_c w_c·shifted_c
        self.exps = np.exp(shifted, out=shifted)  # in place; kept for backward as softmax · sum
        self.sums = self.exps.sum(axis=1)
        lse = np.log(self.sums)  # log Σ exp(shifted), so -log p_c = lse - shifted_c
        losses = _scaled(self.label_weight * (1 - eps), lse - picked)
        if eps > 0:
            losses += self.counts * (eps / classes) * (weight_total * lse - smooth)
        self.denominator = _sum_over_rows(self.label_weight, count) if self.reduction == "mean" else 1
        # 1/denominator on rows that count, exactly 0 on ignored rows: an ignored row gets no
        # gradient even when nothing counts and the mean is 0/0 = nan (like PyTorch); 1/0 is inf
        inverse = 1 / self.denominator if self.denominator != 0 else np.inf
        self.row_factor = inverse if self.keep is None else np.where(self.keep, inverse, 0).astype(logits.dtype)
        return _reduce_array(losses, self.reduction, self.denominator)

    def backward(self, g, out, logits):
        # d loss / d x_n = (softmax(x_n) · Σ_c q[n, c] − q[n]) · g_n / denominator
        scale = g * self.row_factor  # g_n / denominator: one number when the loss was reduced
        if isinstance(logits, Tensor):  # create_graph: the same formula from differentiable ops
            return ((softmax(logits, axis=1) * _column(self.row_total) - self._target_matrix()) * _column(scale),)
        grad = self.exps * _column(_scaled(self.row_total, scale) / self.sums)  # softmax · Σq, scaled
        label_share = _scaled(self.label_weight * (1 - self.smoothing), scale)
        grad.put(self.at_labels, grad.take(self.at_labels) - label_share)  # − q at the label
        if self.smoothing > 0:  # − q's share eps/C·w_c on every class
            spread = self.smoothing / grad.shape[1] * (1.0 if self.weight is None else self.weight)
            grad -= _column(scale * self.counts) * spread
        return (grad,)

    def _target_matrix(self):
        """q as a dense (M, C) array (only for differentiating twice)."""
        count, classes = self.exps.shape
        q = np.zeros((count, classes), dtype=self.exps.dtype)
        q.put(self.at_labels, (1 - self.smoothing) * self.label_weight)
        if self.smoothing > 0:
            q += _column(self.counts) * (self.smoothing / classes) * (1.0 if self.weight is None else self.weight)
        return q


def _column(per_row):
    """A per-row factor (M,) as a column (M, 1) that broadcasts over the classes; a number stays a number."""
    return per_row.reshape(-1, 1) if isinstance(per_row, (np.ndarray, Tensor)) else per_row


def _scaled(factor, values):
    """factor · values, where a factor that is the number 1 (no weights, no smoothing) costs no pass."""
    return values if type(factor) is float and factor == 1.0 else factor * values


def _sum_over_rows(per_row, count):
    """Σ_n of a per-row factor, given as an array (M,) or as one number for every row."""
    return per_row.sum() if isinstance(per_row, np.ndarray) else per_row * count


class CrossEntropyWithProbabilities(Function):
    """Softmax cross-entropy of logits (M, C) against class probabilities (M, C), reduced or not."""

    def __init__(self, weight, reduction, smoothing):
        self.weight, self.reduction, self.smoothing = weight, reduction, smoothing

    def target_weights(self, target):
        """q = (target·(1 - eps) + eps/C) · w, for arrays or Tensors."""
        q = target * (1 - self.smoothing) + self.smoothing / target.shape[1] if self.smoothing > 0 else target
        return q if self.weight is None else q * self.weight

    def forward(self, logits, target):
        self.log_probs = log_softmax(logits, axis=1)  # the op on ndarrays: plain NumPy, kept for backward
        losses = -(self.log_probs * self.target_weights(target)).sum(axis=1)
        self.denominator = len(logits) if self.reduction == "mean" else 1  # positions, weights or not
        return _reduce_array(losses, self.reduction, self.denominator)

    def backward(self, g, out, logits, target):
        log_probs = log_softmax(logits, axis=1) if isinstance(logits, Tensor) else self.log_probs
        scale = (g / self.denominator).reshape(-1, 1)
        q = self.target_weights(target)
        # d/dx_n = softmax(x_n)·Σ_c q[n, c] − q[n];  d/dt[n, c] = −(1 − eps)·w_c·log p[n, c]
        grad_logits = (exp(log_probs) * q.sum(axis=1, keepdims=True) - q) * scale if self.needs[0] else None
        grad_target = None
        if self.needs[1]:
            weighted = log_probs if self.weight is None else log_probs * self.weight
            grad_target = weighted * (scale * -(1 - self.smoothing))
        return grad_logits, grad_target


class BinaryCrossEntropy(Function):
    """-(t·log p + (1 - t)·log(1 - p)) elementwise, each log clamped at -100 like PyTorch."""

    def forward(self, p, t):
        with np.errstate(divide="ignore"):
            log_p, log_not_p = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
        return -(t * log_p + (1 - t) * log_not_p)

    def backward(self, g, out, p, t):
        # d/dp = (p - t) / (p (1 - p)), the denominator kept >= 1e-12 like PyTorch
        grad_p = g * (p - t) / maximum(p * (1 - p), 1e-12) if self.needs[0] else None
        # d/dt = log(1 - p) - log p, with the same clamps
        grad_t = g * (maximum(log(1 - p), -100) - maximum(log(p), -100)) if self.needs[1] else None
        return grad_p, grad_t


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


def _values(x):
    """An array-like argument (Tensor, ndarray or nested list) as an ndarray."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


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
    weight = _values(weight).astype(dtype)
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


def _reduce_array(losses, reduction, denominator):
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    if denominator == 0:  # nothing counts (all ignored, or zero weights): the mean is nan, like PyTorch
        return np.asarray(np.nan, dtype=losses.dtype)
    return np.asarray(total / denominator, dtype=losses.dtype)


def _reduce(losses, reduction):
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def _class_index_labels(input, target):
    """Integer class-index targets, checked against the input's shape, flattened to (M,)."""
    labels = _values(target)
    expected = _positions_shape(input)
    if labels.shape != expected:
        raise ValueError(
            f"target of shape {labels.shape} does not fit input of shape {input.shape}: class-index "
            f"targets need shape {expected} (or float class probabilities of shape {input.shape})"
        )
    return labels.reshape(-1)


# --- the loss functions ----------------------------------------------------------------------


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy between logits and targets, exactly like ``torch.nn.functional.cross_entropy``.

    ``input``: logits of shape (N, C), (N, C, d1, ...) or (C,). ``target``: integer class
    indices of shape (N,), (N, d1, ...) or (), or float class probabilities of the input's
    shape. One fused, stable op whose gradient is softmax − target.
    """
    input = _as_input(input)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    classes = _class_count(input, "cross_entropy needs logits")
    weight = _class_weights(weight, classes, input.dtype)
    kind = target.dtype.kind if isinstance(target, (Tensor, np.ndarray)) else np.asarray(target).dtype.kind
    if kind in "iu":
        labels = _class_index_labels(input, target)
        keep = _check_labels(labels, classes, ignore_index)
        op = CrossEntropyWithIndices(labels, keep, weight, reduction, label_smoothing)
        losses = op(_class_rows(input))
    elif kind == "f":
        if ignore_index >= 0:  # PyTorch refuses this too: no class index to compare with
            raise ValueError(
                f"ignore_index={ignore_index} applies only to class-index targets; class-probability "
                "targets cannot ignore a class (leave ignore_index at its default, -100)"
            )
        target = _as_float_target(target, input)
        if target.shape != input.shape:
            raise ValueError(
                f"target of shape {target.shape} does not fit input of shape {input.shape}: "
                f"class-probability targets need the input's shape"
            )
        losses = CrossEntropyWithProbabilities(weight, reduction, label_smoothing)(
            _class_rows(input), _class_rows(target)
        )
    else:
        raise ValueError(
            f"target must be integer class indices or float class probabilities, got dtype "
            f"{np.asarray(_values(target)).dtype}"
        )
    return losses.reshape(_positions_shape(input)) if reduction == "none" else losses


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, ...) at the target classes, like PyTorch."""
    input = _as_input(input)
    _check_reduction(reduction)
    classes = _class_count(input, "nll_loss needs log-probabilities")
    weight = _class_weights(weight, classes, input.dtype)
    if _values(target).dtype.kind not in "iu":
        raise ValueError(f"nll_loss needs integer class indices, got dtype {_values(target).dtype}")
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
    array = _values(values).astype(input.dtype)
    try:
        fits = np.broadcast_shapes(array.shape, input.shape) == tuple(input.shape)
    except ValueError:  # NumPy's own message would not say which argument is wrong
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {array.shape} does not broadcast to the input's shape {tuple(input.shape)}")
    return array


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
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


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
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
    losses = BinaryCrossEntropy()(input, target)
    if weight is not None:
        losses = losses * _broadcast_factor(weight, input, "weight")
    return _reduce(losses, reduction)


def mse_loss(input, target, reduction="mean"):
    """The mean (or sum, or each) of the squared differences between input and target."""
    input = _as_input(input)
    _check_reduction(reduction)
    target = _as_float_target(target, input)
    _check_same_shape(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction)
