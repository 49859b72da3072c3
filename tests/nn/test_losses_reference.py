"""The fused losses against the composed references beside them in minigrad/ops/losses.py.

``cross_entropy_reference`` is log_softmax and a product with the target weights q, written
with minigrad's ops, so its values, gradients and second derivatives come from ops checked
on their own in the op table. The fused op must give the same, for every option: class
weights, ignore_index, label smoothing, each reduction, (N, C), (N, C, d1, d2) and (C,)
inputs, class indices and class probabilities (where the target gets a gradient too).
"""

import inspect
import itertools
import pathlib
import re

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.losses import binary_cross_entropy_reference, cross_entropy_reference

rng = np.random.default_rng(31)
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
SHAPES = {"NC": (6, 4), "NCd": (2, 4, 3, 2), "C": (4,)}


def make_target(shape, kind, ignored):
    """Class indices (some set to ``ignored`` when it is not None) or class probabilities for an input shape."""
    class_axis = 0 if len(shape) == 1 else 1
    if kind == "probabilities":
        return np.moveaxis(rng.dirichlet(np.ones(4), shape[:class_axis] + shape[class_axis + 1 :]), -1, class_axis)
    if len(shape) == 1:
        return np.array(2)  # a (C,) input's one label, never the ignore_index 1 (its mean would be nan)
    labels = rng.integers(0, 4, shape[:class_axis] + shape[class_axis + 1 :])
    if ignored is not None:
        labels.flat[::3] = ignored  # every third position, the first among them
    return labels


def options_for(weighted, ignore, reduction, eps):
    options = dict(weight=WEIGHT if weighted else None, reduction=reduction, label_smoothing=eps)
    if ignore is not None:
        options["ignore_index"] = ignore
    return options


def both(fn_of_loss, x, target, options, target_grad=False):
    """fn_of_loss applied to the fused loss and to the reference, each on fresh leaves."""
    results = []
    for loss in (F.cross_entropy, cross_entropy_reference):
        logits = mg.tensor(x, requires_grad=True)
        t = mg.tensor(target, requires_grad=True) if target_grad else target
        results.append(fn_of_loss(loss(logits, t, **options), logits, t))
    return results


INDEX_CASES = list(
    itertools.product(SHAPES, [False, True], [None, 1, -7], ["mean", "sum", "none"], [0.0, 0.3])
)  # ignore_index None: the default -100, no label ignored; 1: a real class; -7: outside the classes
PROBABILITY_CASES = list(itertools.product(["NC", "NCd", "C"], [False, True], ["mean", "sum", "none"], [0.0, 0.3]))


def upstream_for(loss):
    return rng.standard_normal(loss.shape)


@pytest.mark.parametrize("shape_name, weighted, ignore, reduction, eps", INDEX_CASES)
def test_class_indices_values_gradients_and_hessian_vector_products(shape_name, weighted, ignore, reduction, eps):
    shape = SHAPES[shape_name]
    x = rng.standard_normal(shape) * 2
    target = make_target(shape, "indices", ignore)
    options = options_for(weighted, ignore, reduction, eps)
    fused, reference = (
        F.cross_entropy(mg.tensor(x), target, **options),
        cross_entropy_reference(mg.tensor(x), target, **options),
    )
    np.testing.assert_allclose(fused.data, reference.data, rtol=1e-12, atol=1e-14)
    upstream = upstream_for(fused)
    v = rng.standard_normal(shape)

    def first_and_second(loss, logits, t):
        (g,) = mg.grad(loss, logits, grad_outputs=mg.tensor(upstream), create_graph=True)
        (hv,) = mg.grad((g * mg.tensor(v)).sum(), logits)
        return g.data, hv.data

    (g_fused, hv_fused), (g_ref, hv_ref) = both(first_and_second, x, target, options)
    np.testing.assert_allclose(g_fused, g_ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(hv_fused, hv_ref, rtol=1e-10, atol=1e-13)
    assert np.abs(hv_ref).max() > 1e-3  # the check compared something


@pytest.mark.parametrize("shape_name, weighted, reduction, eps", PROBABILITY_CASES)
def test_class_probabilities_values_and_gradients_for_logits_and_target(shape_name, weighted, reduction, eps):
    shape = SHAPES[shape_name]
    x = rng.standard_normal(shape) * 2
    target = make_target(shape, "probabilities", None)
    options = options_for(weighted, None, reduction, eps)

    def value_and_grads(loss, logits, t):
        upstream = np.linspace(0.5, 2.0, loss.size).reshape(loss.shape)
        grads = mg.grad(loss, [logits, t], grad_outputs=mg.tensor(upstream))
        return loss.data, grads[0].data, grads[1].data

    fused, reference = both(value_and_grads, x, target, options, target_grad=True)
    for a, b in zip(fused, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_float32_fused_loss_and_gradient_match_the_float64_reference():
    x = rng.standard_normal((64, 10)) * 4
    labels = rng.integers(0, 10, 64)
    labels[::5] = -100
    weight = rng.uniform(0.5, 2.0, 10)
    options = dict(weight=weight, label_smoothing=0.1)
    logits = mg.tensor(x.astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(logits, labels, **options)
    loss.backward()
    assert loss.dtype == np.float32 and logits.grad.dtype == np.float32
    exact = mg.tensor(x.astype(np.float32).astype(np.float64), requires_grad=True)
    reference = cross_entropy_reference(exact, labels, **options)
    reference.backward()
    assert loss.item() == pytest.approx(reference.item(), rel=1e-6)
    np.testing.assert_allclose(logits.grad, exact.grad, rtol=1e-4, atol=1e-7)


def test_the_reference_agrees_with_a_hand_worked_value():
    # logits (0, ln 2, ln 5): p = (1/8, 2/8, 5/8); label 1 with weights (1, 2, 1) and ε = 0.3
    x = mg.tensor(np.log([1.0, 2.0, 5.0]))
    weight = np.array([1.0, 2.0, 1.0])
    # q = w·(0.7·onehot + 0.1) = (0.1, 1.6, 0.1), loss = −Σ q log p
    expected = -(0.1 * np.log(1 / 8) + 1.6 * np.log(2 / 8) + 0.1 * np.log(5 / 8))
    assert cross_entropy_reference(x, np.array(1), weight=weight, label_smoothing=0.3, reduction="sum").item() == (
        pytest.approx(expected, rel=1e-12)
    )
    # the mean divides by the label's weight, 2
    assert F.cross_entropy(x, np.array(1), weight=weight, label_smoothing=0.3).item() == pytest.approx(expected / 2)


def test_binary_cross_entropy_against_its_reference_inside_the_clamps():
    p, t = rng.uniform(0.05, 0.95, (3, 4)), rng.uniform(0, 1, (3, 4))
    fused, reference = [], []
    for loss, out in (
        (lambda a, b: F.binary_cross_entropy(a, b, reduction="none"), fused),
        (binary_cross_entropy_reference, reference),
    ):
        probs, target = mg.tensor(p, requires_grad=True), mg.tensor(t, requires_grad=True)
        value = loss(probs, target)
        out.extend([value.data, *(g.data for g in mg.grad(value.sum(), [probs, target]))])
    for a, b in zip(fused, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_docs_quote_the_reference_as_it_is_and_their_snippets_run():
    text = (pathlib.Path(__file__).parents[2] / "docs" / "cross-entropy.md").read_text()
    assert inspect.getsource(cross_entropy_reference) in text
    snippets = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(snippets) == 2
    namespace = {}
    exec(snippets[0], namespace)  # the worked example, imports included
    mg_, F_ = namespace["mg"], namespace["F"]
    assert mg_.metrics.cross_entropy([0.5, 0.5], [0.7, 0.3]) == pytest.approx(0.780324, abs=1e-6)
    assert F_.cross_entropy(mg_.tensor(np.log([0.7, 0.3])), np.array([0.5, 0.5])).item() == pytest.approx(0.780324)
