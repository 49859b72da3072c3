"""SGD: steps against the update rule written out in NumPy, worked examples, dtypes, groups."""

import numpy as np
import pytest
from optim_helpers import param, run

from minigrad.optim import SGD


def reference_sgd(w, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """PyTorch's SGD rule, one line per equation, on plain arrays."""
    w = w.copy()
    buf = None
    for g in grads:
        d = g + weight_decay * w
        if momentum != 0:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        w = w - lr * d
    return w


def test_plain_step_worked_by_hand():
    p = param([1.0, -2.0])
    opt = SGD([p], lr=0.1)
    p.grad = np.array([0.5, 1.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.95, -2.1])


def test_momentum_worked_by_hand():
    # w=1, g=1 each step, lr=0.1, momentum=0.9: buf 1 -> 1.9 -> 2.71, w 0.9 -> 0.71 -> 0.439
    p = param([1.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    expected = [0.9, 0.71, 0.439]
    for want in expected:
        p.grad = np.array([1.0])
        opt.step()
        np.testing.assert_allclose(p.data, [want])
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], [2.71])


def test_nesterov_worked_by_hand():
    # step 1: buf=1, d = 1 + 0.9*1 = 1.9, w = 1 - 0.19 = 0.81
    # step 2: buf = 0.9 + 1 = 1.9, d = 1 + 0.9*1.9 = 2.71, w = 0.81 - 0.271 = 0.539
    p = param([1.0])
    opt = SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    for want in (0.81, 0.539):
        p.grad = np.array([1.0])
        opt.step()
        np.testing.assert_allclose(p.data, [want])


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "dampening": 0.5},
        {"momentum": 0.5, "weight_decay": 0.1},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
        {"weight_decay": 0.3},
    ],
)
def test_trajectory_matches_the_rule(options):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(6)]
    p, _ = run(lambda ps: SGD(ps, lr=0.05, **options), w0, grads)
    np.testing.assert_allclose(p.data, reference_sgd(w0, grads, lr=0.05, **options), rtol=1e-12, atol=1e-14)


def test_first_momentum_buffer_is_a_copy_of_the_gradient():
    p = param([1.0, 2.0])
    opt = SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    np.testing.assert_allclose(buf, [1.0, 1.0])  # not (1 - dampening) * g at the first step
    assert not np.shares_memory(buf, p.grad)


def test_grad_is_never_changed_in_place():
    p = param([1.0, 2.0])
    shared = np.array([0.5, -0.5])
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)
    for _ in range(3):
        p.grad = shared
        opt.step()
    np.testing.assert_array_equal(shared, [0.5, -0.5])


def test_update_is_in_place_on_the_same_array():
    p = param([1.0, 2.0])
    before = p.data
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    assert p.data is before


def test_parameters_without_grad_are_skipped():
    a, b = param([1.0]), param([2.0])
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = np.array([1.0])
    opt.step()
    np.testing.assert_allclose(a.data, [0.9])
    np.testing.assert_allclose(b.data, [2.0])
    assert b not in opt.state


def test_float32_stays_float32():
    p = param([1.0, 2.0], dtype=np.float32)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(3):
        p.grad = np.array([0.1, 0.2], dtype=np.float32)
        opt.step()
    assert p.data.dtype == np.float32
    assert opt.state[p]["momentum_buffer"].dtype == np.float32
    want = reference_sgd(np.array([1.0, 2.0]), [np.array([0.1, 0.2])] * 3, lr=0.1, momentum=0.9, weight_decay=0.01)
    np.testing.assert_allclose(p.data, want, rtol=1e-6)


def test_parameter_groups_use_their_own_options():
    a, b = param([1.0]), param([1.0])
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    for _ in range(2):
        a.grad = np.array([1.0])
        b.grad = np.array([1.0])
        opt.step()
    np.testing.assert_allclose(a.data, [0.8])
    np.testing.assert_allclose(b.data, [1.0 - 0.5 * 1.0 - 0.5 * 1.9])


def test_changing_a_group_lr_takes_effect_at_the_next_step():
    p = param([1.0])
    opt = SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = 0.01
    p.grad = np.array([1.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.99])


def test_zero_grad_sets_none():
    a, b = param([1.0]), param([2.0])
    opt = SGD([a, b], lr=0.1)
    a.grad = np.array([1.0])
    b.grad = np.array([1.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_zero_grad_without_set_to_none_gives_fresh_zeros():
    p = param([1.0, 2.0])
    shared = np.array([3.0, 4.0])
    p.grad = shared
    SGD([p], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])
    np.testing.assert_array_equal(shared, [3.0, 4.0])


def test_step_returns_the_closure_loss():
    p = param([1.0])
    opt = SGD([p], lr=0.1)

    def closure():
        p.grad = np.array([2.0])
        return 7.0

    assert opt.step(closure) == 7.0
    np.testing.assert_allclose(p.data, [0.8])


def test_accepts_a_generator_and_a_single_tensor_group():
    a, b = param([1.0]), param([2.0])
    assert len(SGD((t for t in [a, b]), lr=0.1).param_groups[0]["params"]) == 2
    assert SGD([{"params": a}], lr=0.1).param_groups[0]["params"] == [a]


def test_repr_lists_the_groups():
    text = repr(SGD([param([1.0])], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text
