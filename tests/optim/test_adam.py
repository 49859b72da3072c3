"""Adam and AdamW: steps against the update rules written out in NumPy, worked examples, dtypes."""

import math

import numpy as np
import pytest
from optim_helpers import param, run

from minigrad.optim import Adam, AdamW


def reference_adam(w, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    """PyTorch's Adam (decoupled=False) and AdamW (decoupled=True) rules on plain arrays."""
    beta1, beta2 = betas
    w = w.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        denom = np.sqrt(v) / math.sqrt(bias_correction2) + eps
        w = w - lr / bias_correction1 * m / denom
    return w


def test_first_step_moves_by_lr_times_the_gradient_sign():
    # After bias correction m_hat = g and v_hat = g*g, so the step is lr * g / (|g| + eps).
    p = param([1.0, 1.0, 1.0])
    opt = Adam([p], lr=0.1)
    p.grad = np.array([3.0, -0.5, 0.0])
    opt.step()
    np.testing.assert_allclose(p.data, [1.0 - 0.1 * 3 / (3 + 1e-8), 1.0 + 0.1 * 0.5 / (0.5 + 1e-8), 1.0])
    state = opt.state[p]
    assert state["step"] == 1
    np.testing.assert_allclose(state["exp_avg"], [0.3, -0.05, 0.0])
    np.testing.assert_allclose(state["exp_avg_sq"], [0.009, 0.00025, 0.0])


def test_second_step_worked_by_hand():
    # g = 1 then 2, lr = 0.1, betas (0.5, 0.5), eps 0:
    # m1 = 0.5, v1 = 0.5; m2 = 0.25 + 1 = 1.25, v2 = 0.25 + 2 = 2.25
    # step 2: bias corrections 0.75 and 0.75; w -= 0.1/0.75 * 1.25 / (1.5 / sqrt(0.75))
    p = param([0.0])
    opt = Adam([p], lr=0.1, betas=(0.5, 0.5), eps=0.0)
    p.grad = np.array([1.0])
    opt.step()
    np.testing.assert_allclose(p.data, [-0.1])
    p.grad = np.array([2.0])
    opt.step()
    np.testing.assert_allclose(p.data, [-0.1 - 0.1 / 0.75 * 1.25 / (1.5 / math.sqrt(0.75))])


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"betas": (0.8, 0.99), "eps": 1e-6},
        {"weight_decay": 0.1},
        {"betas": (0.3, 0.5), "weight_decay": 0.05},
        {"betas": (0.0, 0.0)},
    ],
)
def test_adam_trajectory_matches_the_rule(options):
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((2, 5))
    grads = [rng.standard_normal((2, 5)) for _ in range(8)]
    p, _ = run(lambda ps: Adam(ps, lr=0.01, **options), w0, grads)
    np.testing.assert_allclose(p.data, reference_adam(w0, grads, lr=0.01, **options), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("options", [{}, {"weight_decay": 0.3}, {"weight_decay": 0.0}, {"betas": (0.5, 0.9)}])
def test_adamw_trajectory_matches_the_rule(options):
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal(7)
    grads = [rng.standard_normal(7) for _ in range(8)]
    p, _ = run(lambda ps: AdamW(ps, lr=0.05, **options), w0, grads)
    want = reference_adam(w0, grads, lr=0.05, decoupled=True, **{"weight_decay": 1e-2, **options})
    np.testing.assert_allclose(p.data, want, rtol=1e-12, atol=1e-14)


def test_adamw_decay_is_decoupled_from_the_gradient():
    # With a zero gradient Adam's step is 0, so only the decay acts: w * (1 - lr * wd).
    p = param([2.0])
    opt = AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = np.array([0.0])
    opt.step()
    np.testing.assert_allclose(p.data, [2.0 * (1 - 0.05)])
    # Adam's L2 decay instead enters the gradient, and the normalised step is about lr.
    q = param([2.0])
    opt = Adam([q], lr=0.1, weight_decay=0.5)
    q.grad = np.array([0.0])
    opt.step()
    np.testing.assert_allclose(q.data, [2.0 - 0.1 * 1.0 / (1.0 + 1e-8)])


def test_defaults_match_the_api():
    p = param([1.0])
    assert Adam([p]).defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
    assert AdamW([p]).defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_float32_stays_float32(cls):
    p = param([1.0, -1.0], dtype=np.float32)
    opt = cls([p], lr=0.01, weight_decay=0.1)
    grads = [np.array([0.3, -0.2], dtype=np.float32)] * 4
    for g in grads:
        p.grad = g
        opt.step()
    assert p.data.dtype == np.float32
    assert opt.state[p]["exp_avg"].dtype == np.float32
    assert opt.state[p]["exp_avg_sq"].dtype == np.float32
    want = reference_adam(
        np.array([1.0, -1.0]), [g.astype(np.float64) for g in grads], lr=0.01, weight_decay=0.1, decoupled=cls is AdamW
    )
    np.testing.assert_allclose(p.data, want, rtol=1e-5)


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_grad_unchanged_and_none_skipped(cls):
    a, b = param([1.0, 2.0]), param([3.0])
    shared = np.array([0.5, -0.5])
    opt = cls([a, b], lr=0.1, weight_decay=0.1)
    for _ in range(3):
        a.grad = shared
        opt.step()
    np.testing.assert_array_equal(shared, [0.5, -0.5])
    np.testing.assert_array_equal(b.data, [3.0])
    assert b not in opt.state
    assert opt.state[a]["step"] == 3


def test_groups_with_different_learning_rates():
    rng = np.random.default_rng(3)
    w0, w1 = rng.standard_normal(3), rng.standard_normal(3)
    grads = [rng.standard_normal(3) for _ in range(5)]
    a, b = param(w0), param(w1)
    opt = Adam([{"params": [a], "lr": 0.1}, {"params": [b], "betas": (0.5, 0.9)}], lr=0.01)
    for g in grads:
        a.grad = g
        b.grad = 2 * g
        opt.step()
    np.testing.assert_allclose(a.data, reference_adam(w0, grads, lr=0.1), rtol=1e-12)
    np.testing.assert_allclose(
        b.data, reference_adam(w1, [2 * g for g in grads], lr=0.01, betas=(0.5, 0.9)), rtol=1e-12
    )
