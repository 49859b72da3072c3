"""The rest of nn.functional next to the losses: softmax, log_softmax, linear, one_hot,
dropout; and the loss modules passing their keywords through to the functions."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

# --- softmax and log_softmax --------------------------------------------------------------------


def naive_softmax_rows(x):
    """softmax of each row of a 2-D array, one row at a time, max subtracted."""
    out = []
    for row in np.asarray(x, dtype=np.float64):
        exps = [math.exp(v - max(row)) for v in row]
        out.append([e / sum(exps) for e in exps])
    return np.array(out)


def test_softmax_and_log_softmax_hand_worked():
    x = mg.tensor(np.log([[1.0, 2.0, 5.0]]))
    np.testing.assert_allclose(F.softmax(x).data, [[0.125, 0.25, 0.625]], rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(x).data, np.log([[0.125, 0.25, 0.625]]), rtol=1e-12)
    # adding a constant to every logit changes nothing
    np.testing.assert_allclose(F.softmax(x + 100.0).data, [[0.125, 0.25, 0.625]], rtol=1e-12)


def test_softmax_along_an_axis_against_the_naive_rows():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    along_1 = F.softmax(mg.tensor(x), axis=1).data
    expected = np.moveaxis(naive_softmax_rows(np.moveaxis(x, 1, -1).reshape(-1, 3)).reshape(2, 4, 3), -1, 1)
    np.testing.assert_allclose(along_1, expected, rtol=1e-12)
    np.testing.assert_allclose(along_1.sum(axis=1), np.ones((2, 4)), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(mg.tensor(x), axis=1).data, np.log(expected), rtol=1e-12)


def test_softmax_and_log_softmax_are_stable_for_float32_logits_of_1e4():
    x = mg.tensor(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], dtype=np.float32))
    np.testing.assert_allclose(F.softmax(x).data, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    log_p = F.log_softmax(x).data
    assert log_p.dtype == np.float32
    np.testing.assert_allclose(log_p, [[0.0, -1e4, -2e4], [-math.log(3)] * 3], rtol=1e-6)  # finite, not log(0)


def test_softmax_and_log_softmax_gradients():
    rng = np.random.default_rng(1)
    for fn in (F.softmax, F.log_softmax):
        x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
        assert mg.gradcheck(lambda v, fn=fn: fn(v, axis=0), x)
        assert mg.gradgradcheck(lambda v, fn=fn: fn(v, axis=-1), x)
    # Σ_j softmax_j = 1 whatever x is, so its gradient is zero
    x = mg.tensor(rng.standard_normal((2, 5)), requires_grad=True)
    F.softmax(x).sum().backward()
    np.testing.assert_allclose(x.grad, np.zeros((2, 5)), atol=1e-15)


# --- linear -------------------------------------------------------------------------------------


def test_linear_values_hand_worked():
    x = mg.tensor([[1.0, 2.0], [0.0, -1.0]])
    w = mg.tensor([[1.0, 0.0], [2.0, 1.0], [-1.0, 3.0]])  # (out=3, in=2)
    b = mg.tensor([0.5, -1.0, 0.0])
    # row 0: (1, 2+2, -1+6) + b = (1.5, 3, 5);  row 1: (0, -1, -3) + b = (0.5, -2, -3)
    np.testing.assert_allclose(F.linear(x, w, b).data, [[1.5, 3.0, 5.0], [0.5, -2.0, -3.0]])
    np.testing.assert_allclose(F.linear(x, w).data, [[1.0, 4.0, 5.0], [0.0, -1.0, -3.0]])


def test_linear_on_a_batched_input_and_its_gradients():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    np.testing.assert_allclose(F.linear(mg.tensor(x), mg.tensor(w), mg.tensor(b)).data, x @ w.T + b, rtol=1e-12)
    inputs = tuple(mg.tensor(a, requires_grad=True) for a in (x, w, b))
    assert mg.gradcheck(F.linear, inputs)
    assert mg.gradgradcheck(F.linear, inputs)


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        F.linear(mg.tensor(np.ones((2, 3))), mg.tensor(np.ones((4, 2))))


# --- one_hot ------------------------------------------------------------------------------------


def test_one_hot_values_shape_and_dtype():
    out = F.one_hot(mg.tensor([2, 0, 1]), 4)
    assert out.dtype == np.int64
    assert not out.requires_grad
    np.testing.assert_array_equal(out.data, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    grid = F.one_hot(np.array([[0, 1], [1, 1]]), 2)
    assert grid.shape == (2, 2, 2)
    np.testing.assert_array_equal(grid.data[:, :, 1], [[0, 1], [1, 1]])


def test_one_hot_infers_the_class_count_from_the_largest_label():
    assert F.one_hot(np.array([0, 3]), -1).shape == (2, 4)
    assert F.one_hot(np.array([0, 3])).shape == (2, 4)


def test_one_hot_errors():
    with pytest.raises(IndexError, match=r"label 5 .* 3 classes"):
        F.one_hot(np.array([0, 5]), 3)
    with pytest.raises(IndexError, match=r"label -1"):
        F.one_hot(np.array([0, -1]), 3)
    with pytest.raises(ValueError, match="integer"):
        F.one_hot(np.array([0.0, 1.0]), 2)


# --- dropout ------------------------------------------------------------------------------------


def test_dropout_in_training_zeroes_about_p_and_scales_survivors():
    mg.manual_seed(0)
    x = mg.tensor(np.full((200, 500), 2.0, dtype=np.float32))
    out = F.dropout(x, p=0.3, training=True).data
    zeroed = np.mean(out == 0)
    # 100,000 draws: the fraction is within 4 standard deviations (4·√(0.3·0.7/1e5) = 0.0058) of p
    assert abs(zeroed - 0.3) < 0.006
    np.testing.assert_allclose(out[out != 0], 2.0 / 0.7, rtol=1e-6)
    assert out.dtype == np.float32
    assert out.mean() == pytest.approx(2.0, rel=0.02)  # inverted dropout keeps the expectation


def test_dropout_repeats_under_manual_seed_and_differs_without_it():
    x = mg.tensor(np.ones((50, 50)))
    mg.manual_seed(123)
    first = F.dropout(x, 0.5).data
    second = F.dropout(x, 0.5).data
    mg.manual_seed(123)
    again = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_dropout_gradient_is_the_scaled_mask():
    mg.manual_seed(4)
    x = mg.tensor(np.random.default_rng(0).standard_normal((20, 20)), requires_grad=True)
    out = F.dropout(x, 0.25)
    out.sum().backward()
    mask = out.data != 0
    np.testing.assert_allclose(x.grad, mask / 0.75)
    np.testing.assert_allclose(out.data, x.data * mask / 0.75)


def test_dropout_eval_and_p_zero_are_the_identity_and_p_one_zeroes():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False).data, x.data)
    np.testing.assert_array_equal(F.dropout(x, 0.0).data, x.data)
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, np.zeros((2, 3)))
    layer = nn.Dropout(0.5)
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x.data)
    layer.train()
    mg.manual_seed(1)
    assert np.any(layer(mg.tensor(np.ones(100))).data == 0)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_out_of_range(p):
    with pytest.raises(ValueError, match=str(p)):
        F.dropout(mg.tensor([1.0]), p)


# --- loss modules pass their keywords through ------------------------------------------------


def test_cross_entropy_loss_module_uses_every_keyword():
    x = mg.tensor(np.array([np.log([1.0, 2.0, 5.0])] * 3))
    labels = [2, 0, 1]
    module = nn.CrossEntropyLoss(weight=[1.0, 2.0, 3.0], ignore_index=1, reduction="none", label_smoothing=0.3)
    # the same rows as the hand-worked smoothing example in test_losses.py: 1.613212, 2.081813, ignored 0
    np.testing.assert_allclose(module(x, labels).data, [0.987008 + 0.626204, 1.455609 + 0.626204, 0.0], atol=1e-5)
    mean = nn.CrossEntropyLoss(weight=[1.0, 2.0, 3.0], ignore_index=1, label_smoothing=0.3)(x, labels)
    assert mean.item() == pytest.approx((1.613212 + 2.081813) / 4, abs=1e-5)
    plain = nn.CrossEntropyLoss()(x, labels)
    assert plain.item() == pytest.approx((0.470004 + 2.079442 + 1.386294) / 3, abs=1e-6)


def test_binary_and_other_loss_modules_use_their_keywords():
    x = mg.tensor([0.0, 0.0])
    t = [1.0, 0.0]
    assert nn.BCEWithLogitsLoss(pos_weight=[3.0], reduction="sum")(x, t).item() == pytest.approx(4 * math.log(2))
    assert nn.BCEWithLogitsLoss(weight=[2.0, 0.0])(x, t).item() == pytest.approx(math.log(2))
    assert nn.BCELoss(weight=[1.0, 3.0], reduction="sum")(mg.tensor([0.5, 0.5]), t).item() == pytest.approx(
        4 * math.log(2)
    )
    log_p = mg.tensor(np.log([[0.2, 0.8], [0.5, 0.5]]))
    assert nn.NLLLoss(weight=[1.0, 4.0], ignore_index=0)(log_p, [1, 0]).item() == pytest.approx(-math.log(0.8))
    assert nn.MSELoss(reduction="sum")(mg.tensor([1.0, 3.0]), [0.0, 0.0]).item() == 10.0


def test_loss_modules_check_their_keywords_at_construction():
    with pytest.raises(ValueError, match="'avg'"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=-0.5)
