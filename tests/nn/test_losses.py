"""F.cross_entropy against hand-worked values and a naive reference written out below.

The reference follows PyTorch's definition literally, one position at a time:
an explicit softmax, its log, a gather of the target class; label smoothing as
(1 - ε)·nll + ε/C·Σ_c w_c·(-log p_c); a weighted mean over the weights of the
non-ignored targets (class indices) or over the N·d1·… positions (probabilities).
It shares no code with minigrad/nn/losses.py. Gradients are checked against the
closed form softmax·Σq − q, against finite differences of the reference, and with
mg.gradcheck / mg.gradgradcheck in float64 for every option set.
"""

import itertools
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

# --- the naive reference ------------------------------------------------------------------


def naive_softmax(row):
    """softmax of a list of numbers: exp of each (max subtracted) over their sum."""
    top = max(row)
    exps = [math.exp(v - top) for v in row]
    return [e / sum(exps) for e in exps]


def naive_log_softmax(row):
    """log p_c = log(exp(x_c - m) / Σ exp(x_j - m)) = (x_c - m) - log Σ exp(x_j - m), m = max.

    Written as the right-hand side so a probability that underflows to 0 in the
    explicit softmax (x_c 2e4 below the max) still has its finite log.
    """
    top = max(row)
    log_total = math.log(sum(math.exp(v - top) for v in row))
    return [(v - top) - log_total for v in row]


def class_axis_positions(shape):
    """Every position of a (N, C, d1, ...) or (C,) input: index tuples with a slot for the class axis."""
    if len(shape) == 1:
        return [()], ()
    rest = (shape[0],) + tuple(shape[2:])
    return list(np.ndindex(*rest)), rest


def row_at(x, position):
    """The C logits of one position: x[n, :, i, j] (or x itself for a (C,) input)."""
    if x.ndim == 1:
        return [float(v) for v in x]
    index = (position[0], slice(None)) + tuple(position[1:])
    return [float(v) for v in x[index]]


def naive_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """PyTorch's cross_entropy, position by position in Python floats."""
    x = np.asarray(x, dtype=np.float64)
    target = np.asarray(target)
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = [1.0] * classes if weight is None else [float(v) for v in np.asarray(weight)]
    eps = label_smoothing
    positions, out_shape = class_axis_positions(x.shape)
    losses, denominator = [], 0.0
    for position in positions:
        log_p = naive_log_softmax(row_at(x, position))
        if target.dtype.kind == "f":  # class probabilities, smoothed toward uniform
            t = row_at(target, position)
            q = [t_c * (1 - eps) + eps / classes for t_c in t]
            losses.append(-sum(w[c] * q[c] * log_p[c] for c in range(classes)))
            denominator += 1
            continue
        y = int(target[position]) if position else int(target)
        if y == ignore_index:
            losses.append(0.0)
            continue
        nll = -w[y] * log_p[y]
        smooth = -sum(w[c] * log_p[c] for c in range(classes))
        losses.append((1 - eps) * nll + eps / classes * smooth)
        denominator += w[y]
    if reduction == "none":
        return np.array(losses).reshape(out_shape)
    if reduction == "sum":
        return sum(losses)
    return sum(losses) / denominator if denominator else math.nan


def naive_target_matrix(x, target, weight, ignore_index, label_smoothing):
    """q[position, c]: what the target asks of each class, one row per position (rows in C order)."""
    x = np.asarray(x, dtype=np.float64)
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = np.ones(classes) if weight is None else np.asarray(weight, dtype=np.float64)
    eps = label_smoothing
    positions, _ = class_axis_positions(x.shape)
    rows = []
    for position in positions:
        if np.asarray(target).dtype.kind == "f":
            t = np.array(row_at(np.asarray(target), position))
            rows.append(w * (t * (1 - eps) + eps / classes))
            continue
        y = int(np.asarray(target)[position]) if position else int(target)
        if y == ignore_index:
            rows.append(np.zeros(classes))
        else:
            rows.append(w * ((1 - eps) * (np.arange(classes) == y) + eps / classes))
    return np.array(rows)


def naive_denominator(x, target, weight, ignore_index, reduction):
    x = np.asarray(x)
    if reduction != "mean":
        return 1.0
    positions, _ = class_axis_positions(x.shape)
    if np.asarray(target).dtype.kind == "f":
        return float(len(positions))
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = np.ones(classes) if weight is None else np.asarray(weight, dtype=np.float64)
    labels = [int(np.asarray(target)[p]) if p else int(target) for p in positions]
    return float(sum(w[y] for y in labels if y != ignore_index))


def rows_to_input_layout(rows, shape):
    """(positions, C) rows back to the input's layout (N, C, d1, ...) or (C,)."""
    if len(shape) == 1:
        return rows.reshape(shape)
    rest = (shape[0],) + tuple(shape[2:])
    return np.moveaxis(rows.reshape(rest + (shape[1],)), -1, 1)


def closed_form_gradient(
    x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0, upstream=None
):
    """d loss / d x = (softmax·Σ_c q − q)·g / denominator, one row per position."""
    x = np.asarray(x, dtype=np.float64)
    positions, out_shape = class_axis_positions(x.shape)
    q = naive_target_matrix(x, target, weight, ignore_index, label_smoothing)
    p = np.array([naive_softmax(row_at(x, pos)) for pos in positions])
    g = np.ones(len(positions)) if upstream is None else np.broadcast_to(upstream, out_shape).reshape(-1)
    denominator = naive_denominator(x, target, weight, ignore_index, reduction)
    if denominator == 0:
        return np.full(x.shape, np.nan)  # a mean over nothing: no gradient formula
    grad = (p * q.sum(axis=1, keepdims=True) - q) * (g / denominator).reshape(-1, 1)
    return rows_to_input_layout(grad, x.shape)


def finite_differences(fn, x, eps=1e-6):
    """Central differences of a scalar function of an array, element by element."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = fn(x)
        x[index] = saved - eps
        minus = fn(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


# --- hand-worked values ---------------------------------------------------------------------

# logits log(1), log(2), log(5): softmax = (1/8, 2/8, 5/8)
LOG_125 = np.log([1.0, 2.0, 5.0])


def test_uniform_logits_give_log_of_the_class_count():
    # softmax(0, 0) = (1/2, 1/2): -log(1/2) = ln 2 = 0.693147
    loss = F.cross_entropy(mg.tensor([[0.0, 0.0]]), [0])
    assert loss.item() == pytest.approx(math.log(2), rel=1e-6)
    loss = F.cross_entropy(mg.tensor(np.zeros((3, 5))), [0, 4, 2])
    assert loss.item() == pytest.approx(math.log(5), rel=1e-6)


def test_hand_worked_single_rows():
    x = mg.tensor(np.array([LOG_125, LOG_125]))
    per_row = F.cross_entropy(x, [2, 0], reduction="none").data
    # -log(5/8) = 0.470004, -log(1/8) = ln 8 = 2.079442
    np.testing.assert_allclose(per_row, [0.470004, 2.079442], atol=1e-6)
    assert F.cross_entropy(x, [2, 0]).item() == pytest.approx((0.470004 + 2.079442) / 2, abs=1e-6)
    assert F.cross_entropy(x, [2, 0], reduction="sum").item() == pytest.approx(2.549446, abs=1e-6)


def test_hand_worked_weighted_mean_divides_by_the_weights_of_the_targets():
    x = mg.tensor(np.array([LOG_125, LOG_125]))
    # weights (1, 2, 3), labels (2, 0): (3·0.470004 + 1·2.079442) / (3 + 1) = 3.489453 / 4 = 0.872363
    loss = F.cross_entropy(x, [2, 0], weight=[1.0, 2.0, 3.0])
    assert loss.item() == pytest.approx(0.872363, abs=1e-6)
    summed = F.cross_entropy(x, [2, 0], weight=[1.0, 2.0, 3.0], reduction="sum")
    assert summed.item() == pytest.approx(3.489453, abs=1e-6)


def test_hand_worked_label_smoothing_with_an_index():
    # ε = 0.3, C = 3, label 2: (1 - 0.3)·(-log 5/8) + 0.3/3·(ln 8 + ln 4 + ln 8/5)
    #   = 0.7·0.470004 + 0.1·(2.079442 + 1.386294 + 0.470004) = 0.329003 + 0.393574 = 0.722577
    loss = F.cross_entropy(mg.tensor(LOG_125), np.array(2), label_smoothing=0.3)
    assert loss.item() == pytest.approx(0.722577, abs=1e-6)


def test_hand_worked_label_smoothing_with_weights_and_an_ignored_target():
    x = mg.tensor(np.array([LOG_125, LOG_125, [5.0, -3.0, 0.5]]))
    weight = [1.0, 2.0, 3.0]
    # row 0, label 2: 0.7·3·0.470004 + 0.1·(1·2.079442 + 2·1.386294 + 3·0.470004) = 0.987008 + 0.626204
    # row 1, label 0: 0.7·1·2.079442 + 0.626204 = 1.455609 + 0.626204;  row 2 ignored (label 1)
    # mean divides by w[2] + w[0] = 4
    row0, row1 = 0.987008 + 0.626204, 1.455609 + 0.626204
    loss = F.cross_entropy(x, [2, 0, 1], weight=weight, ignore_index=1, label_smoothing=0.3)
    assert loss.item() == pytest.approx((row0 + row1) / 4, abs=1e-5)
    none = F.cross_entropy(x, [2, 0, 1], weight=weight, ignore_index=1, label_smoothing=0.3, reduction="none")
    np.testing.assert_allclose(none.data, [row0, row1, 0.0], atol=1e-5)


def test_hand_worked_probability_target_with_smoothing_and_weights():
    # t = (0, 0, 1), ε = 0.3: q = t·0.7 + 0.1 = (0.1, 0.1, 0.8); weights (1, 2, 3):
    # -(1·0.1·log 1/8 + 2·0.1·log 2/8 + 3·0.8·log 5/8) = 0.207944 + 0.277259 + 1.128009 = 1.613212
    loss = F.cross_entropy(mg.tensor(LOG_125), np.array([0.0, 0.0, 1.0]), weight=[1.0, 2.0, 3.0], label_smoothing=0.3)
    assert loss.item() == pytest.approx(1.613212, abs=1e-6)


def test_worked_example_p_half_half_q_seven_three():
    # H(P, Q) = -(0.5·ln 0.7 + 0.5·ln 0.3) = 0.5·(0.356675 + 1.203973) = 0.780324 nats
    p, q = [0.5, 0.5], [0.7, 0.3]
    assert round(mg.metrics.cross_entropy(p, q), 4) == 0.7803
    # the same number from the fused loss: logits log Q (softmax gives Q back), probability target P
    fused = F.cross_entropy(mg.tensor(np.log(q)), np.array(p))
    assert round(fused.item(), 4) == 0.7803
    batched = F.cross_entropy(mg.tensor(np.log([q, q])), np.array([p, p]))
    assert batched.item() == pytest.approx(0.780324, abs=1e-6)
    # H(P) = ln 2 = 0.693147 and KL(P‖Q) = 0.087177: H(P, Q) = H(P) + KL(P‖Q)
    assert mg.metrics.entropy(p) == pytest.approx(0.693147, abs=1e-6)
    assert mg.metrics.kl_divergence(p, q) == pytest.approx(0.087177, abs=1e-6)
    assert mg.metrics.cross_entropy(p, q) == pytest.approx(mg.metrics.entropy(p) + mg.metrics.kl_divergence(p, q))


def test_one_hot_probabilities_equal_class_indices_without_weights():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[labels]
    for eps in (0.0, 0.2):
        a = F.cross_entropy(mg.tensor(x), labels, label_smoothing=eps, reduction="none").data
        b = F.cross_entropy(mg.tensor(x), one_hot, label_smoothing=eps, reduction="none").data
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_weighted_mean_denominators_differ_between_indices_and_probabilities():
    rng = np.random.default_rng(4)
    x = mg.tensor(rng.standard_normal((4, 3, 2)))
    labels = np.array([[0, 2], [1, 1], [2, -100], [0, 0]])
    weight = np.array([0.5, 2.0, 3.0])
    total = F.cross_entropy(x, labels, weight=weight, reduction="sum").item()
    mean = F.cross_entropy(x, labels, weight=weight).item()
    # indices: Σ w[y] over the 7 non-ignored targets = 0.5+3 + 2+2 + 3 + 0.5+0.5 = 11.5
    assert mean == pytest.approx(total / 11.5, rel=1e-12)
    probabilities = np.moveaxis(np.eye(3)[np.where(labels < 0, 0, labels)], -1, 1)
    total = F.cross_entropy(x, probabilities, weight=weight, reduction="sum").item()
    mean = F.cross_entropy(x, probabilities, weight=weight).item()
    assert mean == pytest.approx(total / 8, rel=1e-12)  # N·d1 = 4·2 positions, weights or not
    assert F.cross_entropy(x, probabilities).item() == pytest.approx(
        F.cross_entropy(x, probabilities, reduction="sum").item() / 8, rel=1e-12
    )


def test_all_targets_ignored_gives_nan_for_mean_and_zero_gradient():
    for eps, weight in [(0.0, None), (0.2, [1.0, 2.0, 3.0])]:
        x = mg.tensor(np.random.default_rng(5).standard_normal((3, 3)), requires_grad=True)
        loss = F.cross_entropy(x, [-100, -100, -100], weight=weight, label_smoothing=eps)
        assert math.isnan(loss.item())
        loss.backward()
        np.testing.assert_array_equal(x.grad, np.zeros((3, 3)))  # like PyTorch: ignored rows get 0
        summed = F.cross_entropy(x, [-100, -100, -100], weight=weight, label_smoothing=eps, reduction="sum")
        assert summed.item() == 0.0
        none = F.cross_entropy(x, [-100, -100, -100], weight=weight, label_smoothing=eps, reduction="none")
        np.testing.assert_array_equal(none.data, [0.0, 0.0, 0.0])


def test_a_custom_ignore_index_inside_the_class_range():
    x = mg.tensor(np.array([LOG_125, LOG_125]), requires_grad=True)
    loss = F.cross_entropy(x, [2, 0], ignore_index=0)  # only row 0 counts
    assert loss.item() == pytest.approx(0.470004, abs=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad[1], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(x.grad[0], [1 / 8, 2 / 8, 5 / 8 - 1])


def test_empty_batch_mean_is_nan():
    x = mg.tensor(np.zeros((0, 3)))
    assert math.isnan(F.cross_entropy(x, np.zeros(0, dtype=np.int64)).item())
    assert math.isnan(F.cross_entropy(x, np.zeros((0, 3))).item())
    assert F.cross_entropy(x, np.zeros(0, dtype=np.int64), reduction="sum").item() == 0.0


@pytest.mark.parametrize(
    "target", [[2, 0], np.array([2, 0], dtype=np.int32), mg.tensor([2, 0]), np.array([2, 0], dtype=np.uint8)]
)
def test_targets_as_lists_arrays_and_tensors_of_any_integer_type(target):
    loss = F.cross_entropy(mg.tensor(np.array([LOG_125, LOG_125])), target)
    assert loss.item() == pytest.approx((0.470004 + 2.079442) / 2, abs=1e-6)


def test_probability_targets_as_lists_and_float32_tensors():
    x = mg.tensor(np.log([[0.7, 0.3]]).astype(np.float32))
    for target in ([[0.5, 0.5]], mg.tensor([[0.5, 0.5]]), np.array([[0.5, 0.5]], dtype=np.float64)):
        loss = F.cross_entropy(x, target)
        assert loss.dtype == np.float32
        assert loss.item() == pytest.approx(0.780324, abs=1e-6)


# --- every combination of options against the reference -------------------------------------

SHAPES = {"NC": (4, 3), "NCd1d2": (2, 3, 2, 2), "C": (3,)}
WEIGHT = np.array([0.6, 2.0, 1.3])
REDUCTIONS = ["mean", "sum", "none"]
SMOOTHINGS = [0.0, 0.25, 1.0]


def make_case(shape_name, kind, ignore, seed):
    """Logits and a target for one shape: class indices (some ignored if asked) or probabilities."""
    rng = np.random.default_rng(seed)
    shape = SHAPES[shape_name]
    x = rng.standard_normal(shape) * 2
    classes = shape[0] if len(shape) == 1 else shape[1]
    positions_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    if kind == "probabilities":
        rows = rng.dirichlet(np.ones(classes), int(np.prod(positions_shape, dtype=int)))
        return x, rows_to_input_layout(rows, shape)
    labels = rng.integers(0, classes, positions_shape)
    if ignore == "ignored" and labels.ndim == 0:
        labels = np.array(-100)  # the one target of a (C,) input: all ignored
    elif ignore == "ignored":
        labels.flat[0] = -100
        labels.flat[-1] = -100
    elif ignore == "ignore 1":  # a real class as ignore_index
        labels.flat[0] = 1
    return x, labels


def ignore_index_for(ignore):
    return 1 if ignore == "ignore 1" else -100


CASES = [
    (shape, "indices", weighted, ignore, reduction, eps)
    for shape, weighted, ignore, reduction, eps in itertools.product(
        SHAPES, [False, True], ["none", "ignored", "ignore 1"], REDUCTIONS, SMOOTHINGS
    )
] + [
    (shape, "probabilities", weighted, "none", reduction, eps)
    for shape, weighted, reduction, eps in itertools.product(SHAPES, [False, True], REDUCTIONS, SMOOTHINGS)
]


def case_id(case):
    shape, kind, weighted, ignore, reduction, eps = case
    return f"{shape}-{kind}-{'w' if weighted else 'nw'}-{ignore.replace(' ', '')}-{reduction}-ls{eps}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_value_and_gradient_against_the_naive_reference(case):
    shape_name, kind, weighted, ignore, reduction, eps = case
    x, target = make_case(shape_name, kind, ignore, seed=len(case_id(case)))
    options = dict(weight=WEIGHT if weighted else None, reduction=reduction, label_smoothing=eps)
    if kind == "indices":
        options["ignore_index"] = ignore_index_for(ignore)
    logits = mg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, target, **options)
    expected = naive_cross_entropy(x, target, **options)
    expected_shape = () if reduction != "none" else np.shape(expected)
    assert loss.shape == expected_shape
    np.testing.assert_allclose(loss.data, expected, rtol=1e-10, atol=1e-12, equal_nan=True)

    upstream = np.random.default_rng(7).uniform(0.5, 1.5, loss.shape)
    loss.backward(upstream)
    ignore_index = options.get("ignore_index", -100)
    closed = closed_form_gradient(x, target, options["weight"], ignore_index, reduction, eps, upstream)
    # the create_graph backward (written with differentiable ops) must give the same first derivative
    fresh = mg.tensor(x, requires_grad=True)
    (differentiable,) = mg.grad(
        F.cross_entropy(fresh, target, **options), fresh, grad_outputs=mg.tensor(upstream), create_graph=True
    )
    assert differentiable.requires_grad
    for gradient in (logits.grad, differentiable.data):
        if reduction == "mean" and np.isnan(expected):  # nothing counts: the gradient is exactly 0
            np.testing.assert_array_equal(gradient, np.zeros(x.shape))
        else:
            np.testing.assert_allclose(gradient, closed, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "NCd1d2" and c[2]], ids=case_id)
def test_gradient_against_finite_differences_of_the_naive_reference(case):
    shape_name, kind, weighted, ignore, reduction, eps = case
    x, target = make_case(shape_name, kind, ignore, seed=11)
    options = dict(weight=WEIGHT, reduction=reduction, label_smoothing=eps)
    if kind == "indices":
        options["ignore_index"] = ignore_index_for(ignore)
    upstream = np.random.default_rng(8).uniform(0.5, 1.5, np.shape(naive_cross_entropy(x, target, **options)))
    numeric = finite_differences(lambda v: float(np.sum(naive_cross_entropy(v, target, **options) * upstream)), x)
    logits = mg.tensor(x, requires_grad=True)
    F.cross_entropy(logits, target, **options).backward(upstream)
    np.testing.assert_allclose(logits.grad, numeric, rtol=1e-6, atol=1e-8)


# a (C,) input has one target; ignoring it leaves a mean of nothing (nan, checked above)
GRADCHECK_CASES = [c for c in CASES if not (c[0] == "C" and c[3] != "none" and c[4] == "mean")]


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=[case_id(c) for c in GRADCHECK_CASES])
def test_gradcheck_and_gradgradcheck_in_float64(case):
    shape_name, kind, weighted, ignore, reduction, eps = case
    x, target = make_case(shape_name, kind, ignore, seed=21)
    options = dict(weight=WEIGHT if weighted else None, reduction=reduction, label_smoothing=eps)
    logits = mg.tensor(x, requires_grad=True)
    if kind == "indices":
        options["ignore_index"] = ignore_index_for(ignore)
        fn = lambda v: F.cross_entropy(v, target, **options)  # noqa: E731
        inputs = (logits,)
    else:  # differentiate with respect to the probabilities too
        fn = lambda v, t: F.cross_entropy(v, t, **options)  # noqa: E731
        inputs = (logits, mg.tensor(target, requires_grad=True))
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_gradcheck_fails_for_a_deliberately_wrong_gradient():
    # gradcheck can fail: a loss whose backward is off by a factor 2 is caught
    class Wrong(mg.autograd.Function):
        def forward(self, a):
            return (a * a).sum()

        def backward(self, g, out, a):
            return (g * 4 * a,)

    with pytest.raises(mg.GradcheckError):
        mg.gradcheck(lambda v: Wrong()(v), mg.tensor(np.ones(3), requires_grad=True))


# --- the target's gradient and second derivatives, by formula --------------------------------


def test_gradient_with_respect_to_a_probability_target():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 4))
    t = rng.dirichlet(np.ones(4), 3)
    w = np.array([0.5, 1.0, 2.0, 1.5])
    logits, target = mg.tensor(x, requires_grad=True), mg.tensor(t, requires_grad=True)
    F.cross_entropy(logits, target, weight=w, label_smoothing=0.2).backward()
    log_p = np.array([naive_log_softmax(list(row)) for row in x])
    # d loss / d t[n, c] = -(1 - ε)·w_c·log p[n, c] / N
    np.testing.assert_allclose(target.grad, -(1 - 0.2) * w * log_p / 3, rtol=1e-12)
    q = w * (t * 0.8 + 0.2 / 4)
    np.testing.assert_allclose(logits.grad, (np.exp(log_p) * q.sum(1, keepdims=True) - q) / 3, rtol=1e-12)
    # the same first derivatives from the create_graph backward
    logits, target = mg.tensor(x, requires_grad=True), mg.tensor(t, requires_grad=True)
    grads = mg.grad(F.cross_entropy(logits, target, weight=w, label_smoothing=0.2), [logits, target], create_graph=True)
    np.testing.assert_allclose(grads[0].data, (np.exp(log_p) * q.sum(1, keepdims=True) - q) / 3, rtol=1e-12)
    np.testing.assert_allclose(grads[1].data, -(1 - 0.2) * w * log_p / 3, rtol=1e-12)


def test_hessian_vector_product_has_the_softmax_jacobian_form():
    # d²/dx² of Σq·(logsumexp x) - q·x is Σq·(diag p - p pᵀ): the HVP is Σq·(p⊙v - p·(p·v))
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 4))
    v = rng.standard_normal((2, 4))
    weight = np.array([1.0, 2.0, 0.5, 3.0])
    labels = np.array([3, 1])
    logits = mg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, labels, weight=weight, label_smoothing=0.1, reduction="sum")
    (g,) = mg.grad(loss, logits, create_graph=True)
    (hvp,) = mg.grad((g * v).sum(), logits)
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    row_total = naive_target_matrix(x, labels, weight, -100, 0.1).sum(axis=1, keepdims=True)
    expected = row_total * (p * v - p * (p * v).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(hvp.data, expected, rtol=1e-10)


# --- stability ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "logits, label, expected",
    [
        ([1e4, 0.0, -1e4], 0, 0.0),  # the label has all the mass: -log 1
        ([1e4, 0.0, -1e4], 2, 2e4),  # 1e4 - (-1e4)
        ([-1e4, -1e4, -1e4], 1, math.log(3)),  # all tiny and equal: uniform
        ([1e4, 1e4 - 1, -1e4], 1, 1 + math.log1p(math.exp(-1))),  # -log(e^-1 / (1 + e^-1))
        ([-1e4, -1e4 + 2, 1e4], 0, 2e4),
    ],
)
def test_float32_logits_of_magnitude_1e4_give_finite_right_values(logits, label, expected):
    x = mg.tensor(np.array([logits], dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(x, [label])
    assert loss.dtype == np.float32
    assert math.isfinite(loss.item())
    assert loss.item() == pytest.approx(expected, rel=1e-5, abs=1e-5)
    loss.backward()
    assert x.grad.dtype == np.float32
    assert np.all(np.isfinite(x.grad))
    p = np.exp(np.array(logits, np.float64) - max(logits))
    p /= p.sum()
    np.testing.assert_allclose(x.grad[0], p - np.eye(3)[label], atol=1e-6)


@pytest.mark.parametrize("eps", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_extreme_float32_logits_with_every_option_stay_finite_and_right(eps, weighted):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4 + 1], [1e4, 1e4 - 3, -1e4], [-1e4, 1e4, 1e4]], dtype=np.float32)
    labels = np.array([1, 2, 0, -100])
    weight = WEIGHT if weighted else None
    for reduction in REDUCTIONS:
        logits = mg.tensor(x, requires_grad=True)
        loss = F.cross_entropy(logits, labels, weight=weight, label_smoothing=eps, reduction=reduction)
        assert np.all(np.isfinite(loss.data))
        expected = naive_cross_entropy(
            x.astype(np.float64), labels, weight=weight, label_smoothing=eps, reduction=reduction
        )
        np.testing.assert_allclose(loss.data, expected, rtol=1e-5)
        loss.backward(np.ones(loss.shape, dtype=np.float32))
        assert np.all(np.isfinite(logits.grad))
        closed = closed_form_gradient(x.astype(np.float64), labels, weight, -100, reduction, eps)
        np.testing.assert_allclose(logits.grad, closed, atol=1e-5)


def test_extreme_logits_with_probability_targets_and_a_spatial_input():
    x = np.array([[1e4, -1e4], [-1e4, 1e4]], dtype=np.float32)
    t = np.array([[0.5, 0.5], [0.25, 0.75]], dtype=np.float32)
    logits = mg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, t, reduction="none")
    # row 0: 0.5·0 + 0.5·2e4 = 1e4;  row 1: 0.25·2e4 + 0.75·0 = 5e3
    np.testing.assert_allclose(loss.data, [1e4, 5e3], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad, [[0.5, -0.5], [-0.25, 0.25]], atol=1e-6)
    spatial = mg.tensor(np.array([[[1e4, -1e4], [-1e4, 1e4], [0.0, 0.0]]], dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(spatial, np.array([[1, 0]]), reduction="sum")  # (1, 3, 2) logits, (1, 2) labels
    assert loss.item() == pytest.approx(4e4, rel=1e-6)
    loss.backward()
    assert np.all(np.isfinite(spatial.grad))
    # position 0: logits (1e4, -1e4, 0), label 1: softmax ≈ (1, 0, 0), gradient (1, -1, 0)
    # position 1: logits (-1e4, 1e4, 0), label 0: softmax ≈ (0, 1, 0), gradient (-1, 1, 0)
    np.testing.assert_allclose(spatial.grad[0], [[1.0, -1.0], [-1.0, 1.0], [0.0, 0.0]], atol=1e-6)


def test_float32_loss_matches_float64_reference_on_ordinary_logits():
    rng = np.random.default_rng(14)
    x = (rng.standard_normal((6, 5)) * 3).astype(np.float32)
    labels = rng.integers(0, 5, 6)
    loss = F.cross_entropy(mg.tensor(x), labels, label_smoothing=0.1)
    assert loss.dtype == np.float32
    assert loss.item() == pytest.approx(
        naive_cross_entropy(x.astype(np.float64), labels, label_smoothing=0.1), rel=1e-6
    )
