"""The fused losses as ops: softmax cross-entropy (class indices or class probabilities), its
gradient, and binary cross-entropy of probabilities. Each fused op has its plain composed
reference right beside it: the same function written the textbook way with minigrad's ops,
which the tests compare the fused op with (values and gradients).

Cross-entropy reduces to one formula. With ``q[n, c]`` the weight the target puts on class
c for row n (a one-hot row or a probability row, smoothed and scaled by class weights),

    loss_n = -Σ_c q[n, c] · log softmax(x_n)_c = Σ_c q[n, c] · LSE(x_n) − Σ_c q[n, c] · x[n, c]
    d loss_n / d x_n = softmax(x_n) · Σ_c q[n, c] − q[n]      (softmax − target)

so the gradient never goes through a softmax, a log and a gather. See
docs/cross-entropy.md for the derivation. The argument checks live in nn/losses.py.

The class-index kernels run over blocks of rows (about ``BLOCK_BYTES`` of logits each), so
each pass over a block (subtract the max, exp, sum, scale) finds it still in the cache.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..autograd import Function
from ..tensor import to_array
from ..typing import TensorLike, TensorOrArray
from .elementwise import exp, log, maximum
from .reduce import log_softmax, softmax

BLOCK_BYTES = 2**20  # about 1 MiB of logits per block of rows: small enough to stay in the cache


def row_blocks(count: int, classes: int, itemsize: int) -> list[slice]:
    """Slices of consecutive rows, each about ``BLOCK_BYTES`` of logits, covering rows 0..count."""
    size = max(1, BLOCK_BYTES // (classes * itemsize or 1))
    if count <= size:
        return [slice(0, count)] if count else []  # one block: the usual case for a batch
    return [slice(start, start + size) for start in range(0, count, size)]  # the last may end past count


def subtract_row_max(block: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = block − the maximum of each row``: the log-sum-exp trick, the one place it is written.

    Every row's largest entry becomes exactly 0, so ``exp(out) <= 1`` never overflows and each
    row of ``exp(out)`` sums to at least 1, so its log is finite (logits of 1e4 are fine).
    """
    return np.subtract(block, block.max(axis=1, keepdims=True), out=out)


def exp_with_row_sums(shifted: np.ndarray) -> np.ndarray:
    """``shifted`` turned into exp(shifted) in place, and the sum of each of its rows.

    The sums are a product with a vector of ones: BLAS does it faster than ``.sum(axis=1)``.
    """
    np.exp(shifted, out=shifted)
    return shifted @ shared_ones(shifted.shape[1], shifted.dtype)


@functools.lru_cache(maxsize=8)
def shared_ones(length, dtype):
    """A vector of ones, made once per length and dtype (read-only, as it is shared)."""
    vector = np.ones(length, dtype)
    vector.flags.writeable = False
    return vector


def reduce_losses(losses, reduction, denominator):
    """Per-row losses summed, averaged over ``denominator`` (nan when it is 0, like PyTorch), or as they are."""
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    if denominator == 0:  # nothing counts (all ignored, or zero weights): the mean is 0/0
        return np.asarray(np.nan, dtype=losses.dtype)
    return total / denominator


# --- softmax cross-entropy against class indices ------------------------------------------------


class IndexTarget:
    """The target weights q of class-index labels, kept sparse (never an (M, C) array), with
    the mean's denominator D folded in, so that the loss is always a plain sum over rows:

        q[n, c] = w_c · ((1 − ε) · [c = y_n] + ε / C) / D,   and q[n] = 0 on a row that does not count

    with ε the label smoothing and w the class weights (all 1 when there are none). For
    reduction="mean", D = Σ w[y_n] over the rows that count (like PyTorch); otherwise D = 1.
    ``labels`` are checked classes, ``keep`` marks the rows that count (None: all of them).

    A per-row factor is one number (a 0-d array) when it is the same on every row (no class
    weights and every row counts: the usual case, which then makes no per-row arrays),
    otherwise an array (M,); both in the logits' dtype, so float32 stays float32.
    """

    def __init__(self, labels, keep, weight, smoothing, classes, dtype, mean):
        count = len(labels)
        labels = labels.astype(np.intp, copy=False)
        self.labels = labels if keep is None else np.where(keep, labels, 0)  # an ignored row points at class 0
        # where each row's label sits in the C-contiguous (M, C) array, flattened: one take() reads them all
        self.at_labels = np.arange(0, count * classes, classes) + self.labels
        if keep is None and weight is None:  # every row counts, with weight 1
            self.denominator = count if mean else 1
            # a 0-d array: NumPy multiplies by it faster than by a Python float
            self.row_scale = np.asarray(1 / self.denominator if self.denominator else math.nan, dtype)
        else:
            counts = np.ones(count, dtype) if keep is None else keep.astype(dtype)  # 1 on the rows that count
            label_weight = counts if weight is None else weight[self.labels] * counts  # w[y_n]
            self.denominator = label_weight.sum() if mean else 1
            # 1/D on the rows that count, 0 on the others; when D is 0 (zero weights, or every
            # row ignored) the mean is 0/0 = nan, and so is the gradient of the rows that count
            # (both like PyTorch)
            self.row_scale = (
                counts / self.denominator if self.denominator != 0 else np.where(counts > 0, np.nan, 0).astype(dtype)
            )
        share = self.row_scale if weight is None else weight[self.labels] * self.row_scale
        self.label_share = share * (1 - smoothing) if smoothing else share  # q at the label, smoothing aside
        self.spread = None  # ε/C · w_c, the share smoothing gives every class (None without smoothing)
        self.row_total = self.label_share  # Σ_c q[n, c]
        if smoothing > 0:
            self.spread = (smoothing / classes) * (np.ones(classes, dtype) if weight is None else weight)
            self.row_total = self.label_share + self.row_scale * self.spread.sum()

    def dot(self, values, rows=slice(None)):
        """Σ_c q[n, c] · values[n, c] for each of the rows of ``values`` (M, C), all or some: an
        array, or a Tensor (written with minigrad ops, so it can be differentiated)."""
        total = values.reshape(-1)[self.at_labels[rows]] * in_rows(self.label_share, rows)
        if self.spread is not None:
            total = total + (values[rows] @ self.spread) * in_rows(self.row_scale, rows)
        return total

    def gradient_block(self, exps, rows, sums):
        """Rows of ``exps`` (M, C, C-contiguous) holding exp(x − max), with their sums, become
        softmax · Σq − q in place."""
        block = exps[rows]
        block *= (in_rows(self.row_total, rows) / sums)[:, None]  # softmax · Σq
        exps.reshape(-1)[self.at_labels[rows]] -= in_rows(self.label_share, rows)  # − q at the labels
        if self.spread is not None:  # − smoothing's share of q, on every class
            block -= in_rows(self.row_scale, rows, column=True) * self.spread


def in_rows(factor: np.ndarray, rows: slice, column: bool = False) -> np.ndarray:
    """A per-row factor for some rows: the array's slice (as a column if asked), or the one
    number that serves every row."""
    if factor.ndim == 0:
        return factor
    return factor[rows, None] if column else factor[rows]


class CrossEntropyWithIndices(Function):
    """Softmax cross-entropy of logits (M, C) against an ``IndexTarget``, reduced or not.

    One pass of blocks makes the losses and, while each block is still in the cache, the
    gradient for an upstream gradient of 1: exp(x − max), the dear part (one exp per logit),
    is made once and becomes the gradient in place. Backward hands it over as the output
    of the gradient op, ``SoftmaxMinusTarget``, which only multiplies it by the upstream
    gradient when that is not 1. Forward + backward hold one array of the logits' size.
    """

    def __init__(self, target, reduction):
        self.target, self.reduction = target, reduction

    def forward(self, logits):
        count, classes = logits.shape
        self.prepared = np.empty((count, classes), logits.dtype)  # becomes the gradient for g = 1
        losses = []  # one array per block
        for rows in row_blocks(count, classes, logits.dtype.itemsize):
            shifted = subtract_row_max(logits[rows], out=self.prepared[rows])
            weighted = self.target.dot(self.prepared, rows)  # Σ_c q_c · (x_c − max)
            sums = exp_with_row_sums(shifted)  # shifted now holds exp(x − max)
            losses.append(in_rows(self.target.row_total, rows) * np.log(sums) - weighted)  # Σq·LSE − Σq·x
            self.target.gradient_block(self.prepared, rows, sums)
        losses = losses[0] if len(losses) == 1 else np.concatenate(losses or [np.empty(0, logits.dtype)])
        if self.reduction == "none":
            return losses
        if self.target.denominator == 0:  # nothing counts (all ignored, or zero weights): the mean is 0/0
            return np.asarray(np.nan, dtype=losses.dtype)
        return losses.sum()  # 1/D is in q: the sum is the mean

    def backward(self, g, out, logits):
        # d loss / d x_n = (softmax(x_n) · Σ_c q[n, c] − q[n]) · g_n: an op of its own, so that
        # differentiating again (create_graph=True) goes through SoftmaxMinusTarget.backward
        gradient = SoftmaxMinusTarget(self.target, self.prepared)
        self.prepared = None  # it serves once: it becomes a .grad
        return (gradient(logits, g),)


def cross_entropy_with_indices(
    logits: TensorOrArray,
    labels: np.ndarray,
    keep: np.ndarray | None = None,
    weight: np.ndarray | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> TensorOrArray:
    """The fused softmax cross-entropy of logits (M, C) against checked class indices (M,).

    ``keep`` marks the rows that count (None: every row); ``weight`` has one entry per class.
    """
    dtype = to_array(logits).dtype
    mean = reduction == "mean"
    target = IndexTarget(to_array(labels), keep, weight, label_smoothing, logits.shape[1], dtype, mean)
    return CrossEntropyWithIndices(target, reduction)(logits)


class SoftmaxMinusTarget(Function):
    """(softmax(x_n) · Σ_c q[n, c] − q[n]) · g_n for logits (M, C), an ``IndexTarget`` and an
    upstream gradient g (one number, or one per row): the gradient of the cross-entropy, as an op.

    Its forward is the fast NumPy kernel (block by block, in place); its backward is written
    with minigrad ops (softmax's VJP and a per-row sum), so the loss's second derivative needs
    no special case. The loss's forward hands over its result for g = 1 as ``prepared``;
    without it (a second backward, or the op on its own) the same kernel runs here.
    """

    def __init__(self, target, prepared=None):
        self.target, self.prepared = target, prepared

    def forward(self, logits, g):
        grad, self.prepared = self.prepared, None
        if grad is None:
            grad = np.empty(logits.shape, logits.dtype)
            for rows in row_blocks(*logits.shape, logits.dtype.itemsize):
                sums = exp_with_row_sums(subtract_row_max(logits[rows], out=grad[rows]))
                self.target.gradient_block(grad, rows, sums)
        if g.ndim or g != 1:  # loss.backward() of a reduced loss gives the number 1: nothing to multiply
            grad *= g.reshape(-1, 1)
        return grad

    def backward(self, h, out, logits, g):
        p = softmax(logits, axis=1)
        total = self.target.row_total  # Σ_c q[n, c], a constant per row
        grad_logits = grad_g = None
        if self.needs[0]:
            u = h * (g * total).reshape(-1, 1)  # the upstream gradient of the term softmax · Σq · g
            grad_logits = p * (u - (u * p).sum(axis=1, keepdims=True))  # d softmax/dx = diag p − p pᵀ
        if self.needs[1]:
            grad_g = (h * p).sum(axis=1) * total - self.target.dot(h)  # d/dg_n = Σ_c h·(p·Σq − q)
        return grad_logits, grad_g


# --- softmax cross-entropy against class probabilities ------------------------------------------


class CrossEntropyWithProbabilities(Function):
    """−Σ_c q[n, c] · log softmax(x_n)_c of logits (M, C) and target weights q (M, C), reduced or not.

    The mean divides by the number of rows M, whatever the weights (like PyTorch).
    """

    def __init__(self, reduction):
        self.reduction = reduction

    def forward(self, logits, q):
        losses = -(log_softmax(logits, axis=1) * q).sum(axis=1)  # the op on ndarrays: plain NumPy
        self.denominator = len(logits) if self.reduction == "mean" else 1
        return reduce_losses(losses, self.reduction, self.denominator)

    def backward(self, g, out, logits, q):
        scale = (g / self.denominator).reshape(-1, 1)  # one number when reduced, else one per row
        log_p = log_softmax(logits, axis=1)
        # d/dx_n = softmax(x_n) · Σ_c q[n, c] − q[n];  d/dq[n, c] = −log p[n, c]
        grad_logits = (exp(log_p) * q.sum(axis=1, keepdims=True) - q) * scale if self.needs[0] else None
        grad_q = -log_p * scale if self.needs[1] else None
        return grad_logits, grad_q


def cross_entropy_with_probabilities(
    logits: TensorOrArray,
    target: TensorOrArray,
    weight: np.ndarray | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> TensorOrArray:
    """The softmax cross-entropy of logits (M, C) against class probabilities (M, C).

    q = (target · (1 − ε) + ε/C) · w is made with minigrad ops, so a Tensor target gets its gradient.
    """
    q = target * (1 - label_smoothing) + label_smoothing / logits.shape[1] if label_smoothing > 0 else target
    q = q if weight is None else q * weight
    return CrossEntropyWithProbabilities(reduction)(logits, q)


def cross_entropy_reference(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> TensorOrArray:
    """``cross_entropy`` composed from plain ops (log_softmax, a product with q, sums): what the
    fused ops compute, written the textbook way. No argument checks; for tests and docs.

    loss = −Σ_c q_c · log softmax(x)_c  with  q_c = w_c · ((1 − ε) · t_c + ε / C),
    t the one-hot label (q = 0 where the label is ignore_index) or the class probabilities.
    """
    class_axis = 0 if input.ndim == 1 else 1
    classes = input.shape[class_axis]
    log_p = log_softmax(input, axis=class_axis)
    w = np.ones(classes) if weight is None else to_array(weight)
    w = w.astype(input.dtype).reshape([classes if axis == class_axis else 1 for axis in range(input.ndim)])
    labels = to_array(target)
    if labels.dtype.kind in "iu":  # class indices: one-hot rows along the class axis, 0 where ignored
        counts = np.expand_dims(labels != ignore_index, class_axis).astype(input.dtype)
        one_hot = np.eye(classes, dtype=input.dtype)[np.where(labels != ignore_index, labels, 0)]
        target = np.moveaxis(one_hot, -1, class_axis) * counts
        denominator = (target * w).sum()  # the weights of the labels that count
    else:  # class probabilities: the mean is over positions, weights or not
        counts, denominator = 1, input.size // classes
    q = (target * (1 - label_smoothing) + counts * label_smoothing / classes) * w
    losses = -(q * log_p).sum(axis=class_axis)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / denominator


# --- binary cross-entropy of probabilities ------------------------------------------------------


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


def elementwise_binary_cross_entropy(p: TensorLike, t: TensorLike) -> TensorOrArray:
    """The binary cross-entropy of each probability p against its target t, unreduced, logs clamped at -100."""
    return BinaryCrossEntropy()(p, t)


def binary_cross_entropy_reference(p: TensorLike, t: TensorLike) -> TensorOrArray:
    """The same composed from plain ops (its gradient differs only where a clamp is active)."""
    return -(t * maximum(log(p), -100) + (1 - t) * maximum(log(1 - p), -100))
