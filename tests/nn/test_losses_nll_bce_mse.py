"""nll_loss, binary_cross_entropy(_with_logits) and mse_loss against hand-worked values and
naive references written out element by element; gradients by formula, by finite
differences (mg.gradcheck) and twice (mg.gradgradcheck) in float64."""

import itertools
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

REDUCTIONS = ["mean", "sum", "none"]


def reduce_list(losses, reduction, shape, denominator=None):
    if reduction == "none":
        return np.array(losses, dtype=np.float64).reshape(shape)
    if reduction == "sum":
        return sum(losses)
    denominator = len(losses) if denominator is None else denominator
    return sum(losses) / denominator if denominator else math.nan


# --- nll_loss ---------------------------------------------------------------------------------


def naive_nll(x, target, weight=None, ignore_index=-100, reduction="mean"):
    """-w[y]·x[n, y, ...] at every position, the mean over Σ w[y] of the non-ignored targets."""
    x = np.asarray(x, dtype=np.float64)
    target = np.asarray(target)
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = np.ones(classes) if weight is None else np.asarray(weight, dtype=np.float64)
    positions = [()] if x.ndim == 1 else list(np.ndindex(target.shape))
    losses, denominator = [], 0.0
    for pos in positions:
        y = int(target[pos])
        if y == ignore_index:
            losses.append(0.0)
            continue
        index = (y,) if x.ndim == 1 else (pos[0], y) + pos[1:]
        losses.append(-w[y] * float(x[index]))
        denominator += w[y]
    return reduce_list(losses, reduction, target.shape, denominator)


def test_nll_hand_worked():
    log_p = np.log([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    # -(log 0.5 + log 0.8) / 2 = (0.693147 + 0.223144) / 2 = 0.458145
    assert F.nll_loss(mg.tensor(log_p), [1, 2]).item() == pytest.approx(0.458145, abs=1e-6)
    # weights (1, 4, 2): (4·0.693147 + 2·0.223144) / (4 + 2) = 3.218876 / 6 = 0.536479
    assert F.nll_loss(mg.tensor(log_p), [1, 2], weight=[1.0, 4.0, 2.0]).item() == pytest.approx(0.536479, abs=1e-6)
    # ignoring class 2 leaves row 0: 0.693147
    assert F.nll_loss(mg.tensor(log_p), [1, 2], ignore_index=2).item() == pytest.approx(0.693147, abs=1e-6)
    # nll takes any numbers, not only log-probabilities: -(3 + -1) / 2 = -1
    assert F.nll_loss(mg.tensor([[3.0, 0.0], [0.0, -1.0]]), [0, 1]).item() == pytest.approx(-1.0)


NLL_SHAPES = {"NC": ((5, 3), (5,)), "NCd": ((2, 3, 4), (2, 4)), "NCd1d2": ((2, 3, 2, 2), (2, 2, 2)), "C": ((3,), ())}
NLL_CASES = list(itertools.product(NLL_SHAPES, [False, True], [-100, 1], REDUCTIONS))


def nll_case(shape_name, ignore_index, seed):
    rng = np.random.default_rng(seed)
    shape, target_shape = NLL_SHAPES[shape_name]
    x = rng.standard_normal(shape)
    labels = rng.integers(0, 3, target_shape)
    if labels.ndim:
        labels.flat[0] = ignore_index if ignore_index >= 0 else -100
    labels.flat[-1] = 2  # at least one target counts
    return x, labels


@pytest.mark.parametrize("shape_name, weighted, ignore_index, reduction", NLL_CASES)
def test_nll_against_the_naive_reference_with_gradients(shape_name, weighted, ignore_index, reduction):
    x, labels = nll_case(shape_name, ignore_index, seed=len(shape_name) + max(ignore_index, 0))
    weight = np.array([0.5, 2.0, 1.5]) if weighted else None
    options = dict(weight=weight, ignore_index=ignore_index, reduction=reduction)
    inp = mg.tensor(x, requires_grad=True)
    loss = F.nll_loss(inp, labels, **options)
    expected = naive_nll(x, labels, **options)
    assert loss.shape == np.shape(expected)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)
    loss.backward(np.ones(loss.shape))
    # d loss / d x[n, y] = -w[y] / denominator at the target class, 0 elsewhere and on ignored rows
    numeric = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        bumped = x.copy()
        bumped[index] += 1.0  # nll is linear in x: a unit step gives the exact derivative
        numeric[index] = np.sum(naive_nll(bumped, labels, **options) - expected)
    np.testing.assert_allclose(inp.grad, numeric, atol=1e-12)
    assert mg.gradcheck(lambda v: F.nll_loss(v, labels, **options), mg.tensor(x, requires_grad=True))
    assert mg.gradgradcheck(lambda v: F.nll_loss(v, labels, **options), mg.tensor(x, requires_grad=True))


def test_nll_all_ignored_mean_is_nan_with_zero_gradient():
    x = mg.tensor(np.log(np.full((2, 3), 1 / 3)), requires_grad=True)
    loss = F.nll_loss(x, [-100, -100])
    assert math.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))  # like PyTorch: ignored rows get 0
    assert F.nll_loss(x, [-100, -100], reduction="sum").item() == 0.0


def test_nll_of_log_softmax_equals_cross_entropy():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 5))
    labels = np.array([4, 0, -100, 2])
    weight = rng.uniform(0.5, 2.0, 5)
    for reduction in REDUCTIONS:
        a = F.nll_loss(F.log_softmax(mg.tensor(x), axis=1), labels, weight=weight, reduction=reduction)
        b = F.cross_entropy(mg.tensor(x), labels, weight=weight, reduction=reduction)
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)


# --- binary_cross_entropy_with_logits -----------------------------------------------------------


def naive_bce_with_logits(x, t, weight=None, pos_weight=None, reduction="mean"):
    """-w·[pw·t·log σ(x) + (1 - t)·log(1 - σ(x))] element by element (moderate logits only)."""
    x, t = np.asarray(x, np.float64), np.asarray(t, np.float64)
    w = np.broadcast_to(1.0 if weight is None else np.asarray(weight, np.float64), x.shape)
    pw = np.broadcast_to(1.0 if pos_weight is None else np.asarray(pos_weight, np.float64), x.shape)
    losses = []
    for index in np.ndindex(x.shape):
        s = 1 / (1 + math.exp(-x[index]))
        losses.append(-w[index] * (pw[index] * t[index] * math.log(s) + (1 - t[index]) * math.log(1 - s)))
    return reduce_list(losses, reduction, x.shape)


def test_bce_with_logits_hand_worked():
    # at logit 0, σ = 1/2: the loss is ln 2 = 0.693147 for t = 0 and t = 1
    loss = F.binary_cross_entropy_with_logits(mg.tensor([0.0, 0.0]), [0.0, 1.0], reduction="none")
    np.testing.assert_allclose(loss.data, [math.log(2), math.log(2)], rtol=1e-6)
    # pos_weight 3 scales only the positive term: 3·ln 2 = 2.079442 for t = 1, still ln 2 for t = 0
    loss = F.binary_cross_entropy_with_logits(mg.tensor([0.0, 0.0]), [0.0, 1.0], pos_weight=[3.0], reduction="none")
    np.testing.assert_allclose(loss.data, [0.693147, 2.079442], atol=1e-6)
    # x = 2, t = 0.25: (1 - t)·x + log(1 + e^-x) = 1.5 + 0.126928 = 1.626928
    loss = F.binary_cross_entropy_with_logits(mg.tensor([2.0]), [0.25])
    assert loss.item() == pytest.approx(1.626928, abs=1e-6)


def test_bce_with_logits_gradient_is_exact_at_logit_zero():
    x = mg.tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    t = np.array([0.0, 1.0, 0.25, 0.5], dtype=np.float32)
    F.binary_cross_entropy_with_logits(x, t, reduction="sum").backward()
    np.testing.assert_array_equal(x.grad, np.array([0.5, -0.5, 0.25, 0.0], dtype=np.float32))  # σ(0) - t


@pytest.mark.parametrize("pos_weight", [None, [2.0]])
def test_bce_with_logits_is_stable_for_logits_of_magnitude_1e4(pos_weight):
    x = mg.tensor(np.array([1e4, 1e4, -1e4, -1e4, 0.0], dtype=np.float32), requires_grad=True)
    t = np.array([1.0, 0.0, 1.0, 0.0, 1.0], dtype=np.float32)
    pw = 1.0 if pos_weight is None else pos_weight[0]
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none", pos_weight=pos_weight)
    # -log σ(1e4) = 0, -log(1 - σ(1e4)) = 1e4, -pw·log σ(-1e4) = pw·1e4, -log(1 - σ(-1e4)) = 0, pw·ln 2
    np.testing.assert_allclose(loss.data, [0.0, 1e4, pw * 1e4, 0.0, pw * math.log(2)], rtol=1e-6, atol=1e-7)
    loss.sum().backward()
    # σ(x)·(pw·t + 1 - t) - pw·t
    np.testing.assert_allclose(x.grad, [0.0, 1.0, -pw, 0.0, 0.5 * pw - pw], atol=1e-7)
    assert np.all(np.isfinite(x.grad))


BCE_LOGIT_OPTIONS = [
    ((4, 3), None, None),
    ((4, 3), None, (3,)),  # pos_weight per class, broadcast over the batch
    ((4, 3), (4, 1), (3,)),  # weight per sample, pos_weight per class
    ((4, 3), (3,), None),
    ((2, 3, 2), (3, 1), (3, 1)),  # class axis 1 of a (N, C, d) input
    ((5,), (5,), (1,)),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape, weight_shape, pos_weight_shape", BCE_LOGIT_OPTIONS)
def test_bce_with_logits_against_the_naive_reference(shape, weight_shape, pos_weight_shape, reduction):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape) * 3
    t = rng.uniform(0, 1, shape)
    weight = None if weight_shape is None else rng.uniform(0.5, 2, weight_shape)
    pos_weight = None if pos_weight_shape is None else rng.uniform(0.5, 3, pos_weight_shape)
    options = dict(weight=weight, pos_weight=pos_weight, reduction=reduction)
    logits, target = mg.tensor(x, requires_grad=True), mg.tensor(t, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(logits, target, **options)
    np.testing.assert_allclose(loss.data, naive_bce_with_logits(x, t, **options), rtol=1e-10)
    loss.backward(np.ones(loss.shape))
    s = 1 / (1 + np.exp(-x))
    w = 1.0 if weight is None else weight
    pw = 1.0 if pos_weight is None else pos_weight
    n = x.size if reduction == "mean" else 1
    np.testing.assert_allclose(
        logits.grad, np.broadcast_to(w * (s * (pw * t + 1 - t) - pw * t) / n, x.shape), rtol=1e-10
    )
    # d/dt = -w·(pw·log σ(x) - log(1 - σ(x)))
    np.testing.assert_allclose(
        target.grad, np.broadcast_to(-w * (pw * np.log(s) - np.log(1 - s)) / n, x.shape), rtol=1e-8
    )
    fn = lambda v, u: F.binary_cross_entropy_with_logits(v, u, **options)  # noqa: E731
    inputs = (mg.tensor(x, requires_grad=True), mg.tensor(t, requires_grad=True))
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


# --- binary_cross_entropy -----------------------------------------------------------------------


def clamped_log(v):
    return max(math.log(v), -100.0) if v > 0 else -100.0


def naive_bce(p, t, weight=None, reduction="mean"):
    """-w·[t·log p + (1 - t)·log(1 - p)], each log clamped at -100 like PyTorch."""
    p, t = np.asarray(p, np.float64), np.asarray(t, np.float64)
    w = np.broadcast_to(1.0 if weight is None else np.asarray(weight, np.float64), p.shape)
    losses = [-w[i] * (t[i] * clamped_log(p[i]) + (1 - t[i]) * clamped_log(1 - p[i])) for i in np.ndindex(p.shape)]
    return reduce_list(losses, reduction, p.shape)


def test_bce_hand_worked():
    # -(log 0.8) = 0.223144, -(log(1 - 0.6)) = 0.916291, t = 0.5 at p = 0.5: ln 2
    loss = F.binary_cross_entropy(mg.tensor([0.8, 0.6, 0.5]), [1.0, 0.0, 0.5], reduction="none")
    np.testing.assert_allclose(loss.data, [0.223144, 0.916291, 0.693147], atol=1e-6)


def test_bce_clamps_the_log_at_minus_100_for_p_zero_and_one():
    p = mg.tensor(np.array([0.0, 1.0, 0.0, 1.0]), requires_grad=True)
    t = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, t, reduction="none")
    # log 0 = -inf is clamped to -100: a confident wrong answer costs 100, a confident right one 0
    np.testing.assert_array_equal(np.abs(loss.data), [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    # d/dp = (p - t) / max(p·(1 - p), 1e-12): finite, like PyTorch
    np.testing.assert_array_equal(p.grad, [-1e12, 1e12, 0.0, 0.0])
    mean = F.binary_cross_entropy(mg.tensor([0.0, 1.0]), [1.0, 1.0])
    assert mean.item() == pytest.approx(50.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape, weight_shape", [((4, 3), None), ((4, 3), (3,)), ((4, 3), (4, 1)), ((6,), (6,))])
def test_bce_against_the_naive_reference(shape, weight_shape, reduction):
    rng = np.random.default_rng(sum(shape) + 1)
    p = rng.uniform(0.05, 0.95, shape)
    t = rng.uniform(0, 1, shape)
    weight = None if weight_shape is None else rng.uniform(0.5, 2, weight_shape)
    probs, target = mg.tensor(p, requires_grad=True), mg.tensor(t, requires_grad=True)
    loss = F.binary_cross_entropy(probs, target, weight=weight, reduction=reduction)
    np.testing.assert_allclose(loss.data, naive_bce(p, t, weight, reduction), rtol=1e-12)
    loss.backward(np.ones(loss.shape))
    w = 1.0 if weight is None else weight
    n = p.size if reduction == "mean" else 1
    np.testing.assert_allclose(probs.grad, np.broadcast_to(w * (p - t) / (p * (1 - p)) / n, shape), rtol=1e-10)
    np.testing.assert_allclose(target.grad, np.broadcast_to(w * (np.log(1 - p) - np.log(p)) / n, shape), rtol=1e-10)
    fn = lambda v, u: F.binary_cross_entropy(v, u, weight=weight, reduction=reduction)  # noqa: E731
    inputs = (mg.tensor(p, requires_grad=True), mg.tensor(t, requires_grad=True))
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_bce_of_sigmoid_equals_bce_with_logits_on_moderate_logits():
    x = np.linspace(-6, 6, 9)
    t = np.linspace(0, 1, 9)
    a = F.binary_cross_entropy(mg.sigmoid(mg.tensor(x)), t)
    b = F.binary_cross_entropy_with_logits(mg.tensor(x), t)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)


# --- mse_loss -----------------------------------------------------------------------------------


def test_mse_hand_worked_and_reductions():
    x = mg.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    t = [[0.0, 2.0], [1.0, 1.0]]
    # squared differences 1, 0, 4, 16: sum 21, mean 5.25
    np.testing.assert_allclose(F.mse_loss(x, t, reduction="none").data, [[1.0, 0.0], [4.0, 16.0]])
    assert F.mse_loss(x, t, reduction="sum").item() == 21.0
    loss = F.mse_loss(x, t)
    assert loss.item() == 5.25
    loss.backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.0], [1.0, 2.0]])  # 2·(x - t) / 4


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_gradcheck_and_gradgradcheck(reduction):
    rng = np.random.default_rng(9)
    inputs = (
        mg.tensor(rng.standard_normal((3, 4)), requires_grad=True),
        mg.tensor(rng.standard_normal((3, 4)), requires_grad=True),
    )
    fn = lambda a, b: F.mse_loss(a, b, reduction=reduction)  # noqa: E731
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)
