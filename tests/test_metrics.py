"""Metrics: hand-worked values, scikit-learn's log_loss rules written out, validation, return types."""

import math
import warnings

import numpy as np
import pytest

from minigrad.metrics import accuracy, count_correct, cross_entropy, entropy, kl_divergence, log_loss
from minigrad.tensor import Tensor

# --- accuracy -------------------------------------------------------------------------------


def test_accuracy_from_logits():
    logits = [[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [9.0, 0.0, 0.0]]
    assert accuracy(logits, [0, 1, 1, 2]) == 0.5


def test_accuracy_from_labels():
    result = accuracy(np.array([1, 0, 2, 2]), np.array([1, 1, 2, 0]))
    assert result == 0.5 and type(result) is float


def test_accuracy_takes_tensors_and_returns_a_float():
    logits = Tensor(np.array([[0.1, 0.9], [0.8, 0.2]]), requires_grad=True)
    result = accuracy(logits, Tensor(np.array([1, 0])))
    assert result == 1.0 and type(result) is float


def test_accuracy_class_axis_is_axis_one_like_cross_entropy():
    # (N, C, d1) scores against (N, d1) targets: the argmax runs over the C axis.
    scores = np.zeros((2, 3, 4))
    scores[0, 2, :] = 1.0
    scores[1, 0, :] = 1.0
    target = np.array([[2, 2, 2, 0], [0, 0, 1, 0]])
    assert accuracy(scores, target) == 6 / 8


def test_accuracy_single_sample_scores():
    assert accuracy([0.1, 0.7, 0.2], 1) == 1.0


def test_accuracy_binary_scores_are_thresholded_by_the_caller():
    logits = np.array([-1.0, 2.0, 0.5, -0.2])
    assert accuracy(logits > 0, [0, 1, 0, 0]) == 0.75
    with pytest.raises(ValueError, match="logits > 0"):
        accuracy(logits, [0, 1, 0, 0])
    with pytest.raises(ValueError, match="logits > 0"):
        accuracy(logits[:, None], [0, 1, 0, 0])


def test_accuracy_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(5,\)"):
        accuracy(np.zeros((4, 3)), np.zeros(5, dtype=int))


def test_accuracy_against_class_probability_targets_compares_argmaxes():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0]])
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.0, 0.0, 1.0]])  # argmax 0, 2, 2
    assert accuracy(logits, probabilities) == pytest.approx(2 / 3)
    assert count_correct(logits, probabilities) == (2, 3)


def test_accuracy_needs_whole_number_labels_for_scores():
    with pytest.raises(ValueError, match=r"targets of shape \(2,\) for scores of shape \(2, 3\).*non-integer"):
        accuracy(np.zeros((2, 3)), np.array([0.5, 1.0]))


def test_count_correct_with_a_threshold_reads_binary_scores():
    logits = np.array([[-1.0, 2.0], [0.5, -0.2]])
    soft_targets = np.array([[0.1, 0.9], [0.2, 0.4]])  # truth: target > 0.5
    assert count_correct(logits, soft_targets, threshold=0.0) == (3, 4)
    assert count_correct(logits, soft_targets, threshold=1.0) == (4, 4)  # the 0.5 logit is now below it
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(4,\)"):
        count_correct(logits, soft_targets.ravel(), threshold=0.0)


def test_count_correct_leaves_out_ignored_labels():
    scores = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 0.0], [0.0, 1.0]])  # argmax 0, 1, 0, 1
    assert count_correct(scores, [0, 0, -100, -100], ignore_index=-100) == (1, 2)
    assert count_correct(scores, [0, 0, -100, -100]) == (1, 4)
    assert count_correct(np.array([1, 2, 3]), np.array([1, 0, 3]), ignore_index=0) == (2, 2)


def test_accuracy_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="zero samples"):
        accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int))


# --- log_loss -------------------------------------------------------------------------------


def naive_log_loss(y_true, rows, classes):
    """Mean of -log(clipped probability of the true class), one sample at a time."""
    eps = np.finfo(np.float64).eps
    total = 0.0
    for label, row in zip(y_true, rows, strict=True):
        p = row[classes.index(label)]
        total += -math.log(min(max(p, eps), 1 - eps))
    return total / len(y_true)


def test_log_loss_scikit_learn_doc_example():
    value = log_loss(["spam", "ham", "ham", "spam"], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]])
    assert value == pytest.approx(-(math.log(0.9) + math.log(0.9) + math.log(0.8) + math.log(0.65)) / 4)
    assert value == pytest.approx(0.21616, abs=1e-5) and type(value) is float


def test_log_loss_multiclass_matches_the_naive_loop():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=12)
    y = rng.integers(0, 4, size=12)
    y[:4] = [0, 1, 2, 3]
    assert log_loss(y, probs) == pytest.approx(naive_log_loss(y, probs, [0, 1, 2, 3]), rel=1e-12)


def test_log_loss_binary_one_column_is_the_positive_class():
    y = [0, 1, 1, 0]
    p = [0.2, 0.7, 0.9, 0.4]
    want = -(math.log(0.8) + math.log(0.7) + math.log(0.9) + math.log(0.6)) / 4
    assert log_loss(y, p) == pytest.approx(want, rel=1e-12)
    assert log_loss(y, np.array(p)[:, None]) == pytest.approx(want, rel=1e-12)
    assert log_loss(Tensor(np.array(y)), Tensor(np.array(p))) == pytest.approx(want, rel=1e-12)


def test_log_loss_labels_for_classes_absent_from_y_true():
    probs = [[0.1, 0.6, 0.3], [0.2, 0.2, 0.6]]
    assert log_loss([1, 1], probs, labels=[0, 1, 2]) == pytest.approx(-(math.log(0.6) + math.log(0.2)) / 2)
    with pytest.raises(ValueError, match="columns"):
        log_loss([1, 2], probs)


def test_log_loss_clips_with_the_dtype_epsilon():
    eps64 = np.finfo(np.float64).eps
    assert log_loss([0, 1], [[1.0, 0.0], [1.0, 0.0]]) == pytest.approx((-math.log(1 - eps64) - math.log(eps64)) / 2)
    eps32 = float(np.finfo(np.float32).eps)
    value = log_loss([1, 1], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32), labels=[0, 1])
    assert value == pytest.approx(-(math.log(eps32) + math.log(1 - eps32)) / 2, rel=1e-6)


def test_log_loss_warns_when_rows_do_not_sum_to_one_and_does_not_renormalise():
    with pytest.warns(UserWarning, match="do not sum to one"):
        value = log_loss([0, 1], [[0.5, 0.2], [0.5, 0.6]])
    assert value == pytest.approx(-(math.log(0.5) + math.log(0.6)) / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_loss([0, 1], [[0.5, 0.5], [0.25, 0.75]])


def test_log_loss_unsorted_labels_warn_and_sorted_order_is_used():
    with pytest.warns(UserWarning, match="sorted"):
        value = log_loss([0, 1], [[0.9, 0.1], [0.4, 0.6]], labels=[1, 0])
    assert value == pytest.approx(-(math.log(0.9) + math.log(0.6)) / 2)


@pytest.mark.parametrize(
    "y_true, y_prob, labels, words",
    [
        ([0, 0], [0.2, 0.3], None, "two classes"),
        ([0, 3], [0.2, 0.3], [0, 1], r"\[3\]"),
        ([0, 1], [1.2, 0.3], None, "greater than 1"),
        ([0, 1], [-0.2, 0.3], None, "lower than 0"),
        ([0, 1, 2], [[0.2, 0.8]], None, r"\(1, 2\)"),
    ],
)
def test_log_loss_errors(y_true, y_prob, labels, words):
    with pytest.raises(ValueError, match=words):
        log_loss(y_true, y_prob, labels=labels)


# --- entropy, cross-entropy, KL ---------------------------------------------------------------


def test_cross_entropy_of_the_api_example():
    value = cross_entropy([0.5, 0.5], [0.7, 0.3])
    assert value == pytest.approx(-(0.5 * math.log(0.7) + 0.5 * math.log(0.3)))
    assert round(value, 4) == 0.7803 and type(value) is float


def test_entropy_values():
    assert entropy([0.5, 0.5]) == pytest.approx(math.log(2))
    assert entropy([0.25] * 4) == pytest.approx(math.log(4))
    assert entropy([1.0, 0.0, 0.0]) == 0.0  # 0 log 0 = 0, and no -0.0
    assert entropy([0.2, 0.3, 0.5]) == pytest.approx(-(0.2 * math.log(0.2) + 0.3 * math.log(0.3) + 0.5 * math.log(0.5)))


def test_kl_divergence_values():
    p, q = [0.5, 0.5], [0.7, 0.3]
    want = 0.5 * math.log(0.5 / 0.7) + 0.5 * math.log(0.5 / 0.3)
    assert kl_divergence(p, q) == pytest.approx(want)
    assert kl_divergence(p, q) == pytest.approx(cross_entropy(p, q) - entropy(p))
    assert kl_divergence([0.2, 0.8], [0.2, 0.8]) == 0.0
    assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(math.log(2))


def test_zero_q_where_p_is_positive_gives_inf():
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0  # p = 0 terms count 0 even where q = 0


def test_rows_give_an_array_along_the_axis():
    p = np.array([[0.5, 0.5], [1.0, 0.0], [0.9, 0.1]])
    q = np.array([[0.7, 0.3], [0.5, 0.5], [0.9, 0.1]])
    h = cross_entropy(p, q)
    assert isinstance(h, np.ndarray) and h.shape == (3,)
    np.testing.assert_allclose(h, [cross_entropy(a, b) for a, b in zip(p, q, strict=True)])
    np.testing.assert_allclose(entropy(p.T, axis=0), [entropy(row) for row in p])
    np.testing.assert_allclose(
        kl_divergence(p.T, q.T, axis=0), [kl_divergence(a, b) for a, b in zip(p, q, strict=True)]
    )


def test_tensor_inputs_give_plain_results():
    p = Tensor(np.array([0.5, 0.5]))
    assert type(entropy(p)) is float
    assert type(kl_divergence(p, Tensor(np.array([0.7, 0.3])))) is float


def test_float32_rows_within_float32_tolerance_are_accepted():
    p = np.array([[0.1, 0.2, 0.7]], dtype=np.float32) * np.float32(1.00001)
    assert entropy(p).shape == (1,)


@pytest.mark.parametrize(
    "fn", [entropy, lambda p: cross_entropy(p, [[0.5, 0.5]] * 3), lambda p: kl_divergence(p, [[0.5, 0.5]] * 3)]
)
def test_invalid_probabilities_name_the_row(fn):
    with pytest.raises(ValueError, match=r"p\[2, :\] has a negative probability -0.1"):
        fn([[0.5, 0.5], [0.5, 0.5], [1.1, -0.1]])
    with pytest.raises(ValueError, match=r"p\[1, :\] sums to 0.9"):
        fn([[0.5, 0.5], [0.6, 0.3], [0.5, 0.5]])


def test_invalid_q_and_other_axes_are_named_too():
    with pytest.raises(ValueError, match=r"q sums to 1.1"):
        cross_entropy([0.5, 0.5], [0.6, 0.5])
    with pytest.raises(ValueError, match=r"p\[:, 1\] sums to 0.5"):
        entropy([[0.5, 0.2], [0.5, 0.3]], axis=0)
    with pytest.raises(ValueError, match="sums to nan"):
        entropy([0.5, float("nan")])


def test_mismatched_shapes_name_both():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        cross_entropy([0.2, 0.3, 0.5], [0.5, 0.5])
