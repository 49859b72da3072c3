"""The fused cross-entropy's cheap paths: every row counts (one number stands in for the per-row
factors), labels checked by one min/max pass, and the cases that must leave those paths."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.nn.losses import _check_labels

rng = np.random.default_rng(11)
LOGITS = rng.standard_normal((6, 4)).astype(np.float32) * 2
LABELS = np.array([0, 3, 1, 1, 2, 3])


def softmax_minus_onehot(x, labels, rows_that_count):
    """The textbook gradient of the mean: (softmax − one-hot) / count on the rows that count, 0 elsewhere."""
    x = x.astype(np.float64)
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(x)), np.where(rows_that_count, labels, 0)] -= 1
    return p * rows_that_count[:, None] / rows_that_count.sum()


def test_the_common_case_is_float32_and_softmax_minus_onehot_over_n():
    x = mg.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, LABELS)
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
    shifted = LOGITS.astype(np.float64) - LOGITS.max(axis=1, keepdims=True)
    nll = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(6), LABELS]
    assert loss.item() == pytest.approx(nll.mean(), rel=1e-6)
    np.testing.assert_allclose(x.grad, softmax_minus_onehot(LOGITS, LABELS, np.ones(6, bool)), atol=1e-7)


@pytest.mark.parametrize("reduction", ["sum", "none"])
def test_the_common_case_with_other_reductions_and_an_upstream_gradient(reduction):
    x = mg.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, LABELS, reduction=reduction)
    upstream = np.float32(3.0) if reduction == "sum" else np.arange(1.0, 7.0, dtype=np.float32)
    loss.backward(upstream)
    assert x.grad.dtype == np.float32
    expected = softmax_minus_onehot(LOGITS, LABELS, np.ones(6, bool)) * 6 * np.reshape(upstream, (-1, 1))
    np.testing.assert_allclose(x.grad, expected, rtol=1e-5, atol=1e-6)


def test_an_ignore_index_inside_the_class_range_that_no_label_uses_changes_nothing():
    plain, custom = (mg.tensor(LOGITS, requires_grad=True) for _ in range(2))
    labels = np.array([0, 3, 1, 1, 3, 3])
    a = F.cross_entropy(plain, labels)
    b = F.cross_entropy(custom, labels, ignore_index=2)  # 2 lies between the smallest and largest label
    a.backward()
    b.backward()
    assert a.item() == b.item()
    np.testing.assert_array_equal(plain.grad, custom.grad)


@pytest.mark.parametrize(
    "labels, ignore_index",
    [
        (np.array([0, 3, -100, 1, 2, -100]), -100),  # the default, below the class range
        (np.array([0, 3, 9, 1, 2, 9]), 9),  # above the class range
        (np.array([0, 3, 1, 1, 2, 1]), 1),  # a real class
    ],
)
def test_ignored_rows_count_for_nothing_wherever_the_ignore_index_lies(labels, ignore_index):
    x = mg.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, labels, ignore_index=ignore_index)
    loss.backward()
    counts = labels != ignore_index
    shifted = LOGITS.astype(np.float64) - LOGITS.max(axis=1, keepdims=True)
    safe = np.where(counts, labels, 0)
    nll = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(6), safe]
    assert loss.item() == pytest.approx(nll[counts].mean(), rel=1e-6)
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, softmax_minus_onehot(LOGITS, labels, counts), atol=1e-7)


@pytest.mark.parametrize(
    "labels, ignore_index, bad",
    [
        ([0, 4, 1], -100, 4),
        ([-1, 0, 1], -100, -1),
        ([-100, 0, 7], -100, 7),
        ([2, 0, 5], 2, 5),
        ([9, 9, -3], 9, -3),
        ([0, -(2**63), 1], -100, -(2**63)),
    ],
)
def test_a_bad_label_is_still_named_when_the_min_max_check_fails(labels, ignore_index, bad):
    with pytest.raises(IndexError, match=f"target label {bad} is out of range for 4 classes"):
        F.cross_entropy(mg.tensor(LOGITS[:3]), np.array(labels), ignore_index=ignore_index)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, ">i8", ">i4"])
def test_labels_of_every_signed_integer_type_and_byte_order_are_checked(dtype):
    labels = np.array([0, 3, 1], dtype=dtype)
    assert _check_labels(labels, 4, -100) is None
    with pytest.raises(IndexError, match="target label -1 is out of range for 4 classes"):
        _check_labels(np.array([0, -1, 1], dtype=dtype), 4, -100)
    loss = F.cross_entropy(mg.tensor(LOGITS[:3]), labels, reduction="sum")
    assert loss.item() == pytest.approx(
        F.cross_entropy(mg.tensor(LOGITS[:3]), labels.astype(np.int64), reduction="sum").item(), rel=1e-7
    )


def test_check_labels_returns_no_mask_when_every_row_counts():
    assert _check_labels(np.array([0, 3, 1]), 4, -100) is None
    assert _check_labels(np.array([0, 3, 1]), 4, 2) is None  # ignore_index is a class nobody has
    assert _check_labels(np.array([0, 3, 1], dtype=np.int32), 4, -100) is None
    assert _check_labels(np.array([0, 3, 1], dtype=np.uint8), 4, -100) is None
    assert _check_labels(np.zeros(0, dtype=np.int64), 4, -100) is None
    np.testing.assert_array_equal(_check_labels(np.array([0, -100, 1]), 4, -100), [True, False, True])
    np.testing.assert_array_equal(_check_labels(np.array([0, 2, 1]), 4, 2), [True, False, True])


def test_logits_that_are_not_c_contiguous():
    leaf = mg.tensor(LOGITS.T.copy(), requires_grad=True)  # (C, N): its transpose is a strided view
    y = mg.tensor(LOGITS, requires_grad=True)
    a, b = F.cross_entropy(leaf.T, LABELS), F.cross_entropy(y, LABELS)
    a.backward()
    b.backward()
    assert a.item() == pytest.approx(b.item(), rel=1e-6)
    np.testing.assert_allclose(leaf.grad.T, y.grad, atol=1e-7)


def test_zero_class_weights_give_nan_like_pytorch_and_an_empty_batch_has_no_gradient():
    x = mg.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, LABELS, weight=np.zeros(4, np.float32))
    assert math.isnan(loss.item())  # the mean is 0 / 0
    empty = mg.tensor(np.zeros((0, 4), np.float32), requires_grad=True)
    loss = F.cross_entropy(empty, np.zeros(0, dtype=np.int64))
    assert math.isnan(loss.item())
    loss.backward()
    assert empty.grad.shape == (0, 4) and empty.grad.dtype == np.float32


def test_second_derivative_in_the_common_case_matches_the_softmax_hessian():
    x64 = LOGITS[:3].astype(np.float64)
    x = mg.tensor(x64, requires_grad=True)
    (g,) = mg.grad(F.cross_entropy(x, LABELS[:3]), x, create_graph=True)
    v = rng.standard_normal(x64.shape)
    (hv,) = mg.grad((g * mg.tensor(v)).sum(), x)
    p = np.exp(x64 - x64.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    expected = (p * v - p * (p * v).sum(axis=1, keepdims=True)) / 3  # (diag p − p pᵀ) v / N
    np.testing.assert_allclose(hv.data, expected, rtol=1e-10, atol=1e-12)
