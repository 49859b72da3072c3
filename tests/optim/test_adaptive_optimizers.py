"""RMSprop, Adagrad and Adadelta: trajectories against the update rules written out in NumPy,
worked first steps, parameter groups, state dicts mid-training, option checks."""

import math

import numpy as np
import pytest
from optim_helpers import param, run

from minigrad.io import load, save
from minigrad.optim import Adadelta, Adagrad, RMSprop
from minigrad.tensor import Tensor

# --- the rules, on plain arrays (PyTorch's documented algorithms) ------------------------------


def reference_rmsprop(w, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    w = w.copy()
    v, a, b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        g = g + weight_decay * w
        v = alpha * v + (1 - alpha) * g**2
        if centered:
            a = alpha * a + (1 - alpha) * g
            d = np.sqrt(v - a**2) + eps
        else:
            d = np.sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / d
            w = w - lr * b
        else:
            w = w - lr * g / d
    return w


def reference_adagrad(w, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, eps=1e-10, initial_accumulator_value=0.0):
    w = w.copy()
    s = np.full_like(w, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        s = s + g**2
        w = w - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
    return w


def reference_adadelta(w, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    w = w.copy()
    v, u = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        g = g + weight_decay * w
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        w = w - lr * delta
    return w


CASES = [
    (RMSprop, reference_rmsprop, {}),
    (RMSprop, reference_rmsprop, {"lr": 0.05, "alpha": 0.9, "eps": 1e-6}),
    (RMSprop, reference_rmsprop, {"weight_decay": 0.1}),
    (RMSprop, reference_rmsprop, {"momentum": 0.9}),
    (RMSprop, reference_rmsprop, {"centered": True}),
    (RMSprop, reference_rmsprop, {"centered": True, "momentum": 0.5, "weight_decay": 0.01, "alpha": 0.8}),
    (Adagrad, reference_adagrad, {}),
    (Adagrad, reference_adagrad, {"lr": 0.1, "lr_decay": 0.3}),
    (Adagrad, reference_adagrad, {"weight_decay": 0.2, "eps": 1e-3}),
    (Adagrad, reference_adagrad, {"initial_accumulator_value": 0.5, "lr_decay": 0.01}),
    (Adadelta, reference_adadelta, {}),
    (Adadelta, reference_adadelta, {"lr": 0.5, "rho": 0.5, "eps": 1e-4}),
    (Adadelta, reference_adadelta, {"weight_decay": 0.1}),
    (Adadelta, reference_adadelta, {"rho": 0.0}),
]
CASE_IDS = [f"{opt.__name__}-{sorted(options)}" for opt, _, options in CASES]


def grads_for(shape, steps, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for _ in range(steps)]


@pytest.mark.parametrize("make, reference, options", CASES, ids=CASE_IDS)
def test_trajectory_matches_the_rule(make, reference, options):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    grads = grads_for((3, 4), 10, seed=1)
    p, opt = run(lambda ps: make(ps, **options), w0, grads)
    np.testing.assert_allclose(p.data, reference(w0, grads, **options), rtol=1e-12, atol=1e-14)
    assert opt.state[p]["step"] == 10


# --- worked by hand ----------------------------------------------------------------------------


def test_rmsprop_first_step_by_hand():
    # v = 0.01 g^2, so sqrt(v) = 0.1 |g| and each coordinate moves by about lr / 0.1 = 0.1.
    p = param([1.0, 1.0, 1.0])
    opt = RMSprop([p])
    p.grad = np.array([2.0, -0.5, 0.0])
    opt.step()
    np.testing.assert_allclose(p.data, [1 - 0.01 * 2 / (0.2 + 1e-8), 1 + 0.01 * 0.5 / (0.05 + 1e-8), 1.0], rtol=1e-15)
    assert set(opt.state[p]) == {"step", "square_avg"}
    np.testing.assert_allclose(opt.state[p]["square_avg"], [0.04, 0.0025, 0.0])


def test_rmsprop_centered_momentum_first_two_steps_by_hand():
    p = param([0.0])
    opt = RMSprop([p], lr=0.1, alpha=0.5, eps=0.0, momentum=0.5, centered=True)
    p.grad = np.array([2.0])
    opt.step()
    # v = 2, a = 1, d = sqrt(2 - 1) = 1, b = 2, p = -0.2
    np.testing.assert_allclose(p.data, [-0.2])
    p.grad = np.array([4.0])
    opt.step()
    # v = 1 + 8 = 9, a = 0.5 + 2 = 2.5, d = sqrt(9 - 6.25) = sqrt(2.75), b = 1 + 4 / sqrt(2.75)
    np.testing.assert_allclose(p.data, [-0.2 - 0.1 * (1 + 4 / math.sqrt(2.75))], rtol=1e-15)
    assert set(opt.state[p]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}


def test_adagrad_steps_by_hand():
    # First step: s = g^2, so p moves by lr * sign(g); second step lr / (1 + lr_decay).
    p = param([1.0, -1.0])
    opt = Adagrad([p], lr=0.1, lr_decay=1.0, eps=0.0)
    p.grad = np.array([3.0, -4.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.9, -0.9])
    p.grad = np.array([4.0, 3.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.9 - 0.05 * 4 / 5, -0.9 - 0.05 * 3 / 5], rtol=1e-15)
    np.testing.assert_allclose(opt.state[p]["sum"], [25.0, 25.0])


def test_adagrad_initial_accumulator_value():
    p = param([0.0])
    opt = Adagrad([p], lr=1.0, eps=0.0, initial_accumulator_value=3.0)
    p.grad = np.array([1.0])
    opt.step()
    np.testing.assert_allclose(p.data, [-0.5])  # 1 / sqrt(3 + 1)
    assert opt.param_groups[0]["initial_accumulator_value"] == 3.0


def test_adadelta_first_step_by_hand():
    # v = 0.1 g^2, delta = sqrt(eps) / sqrt(0.1 g^2 + eps) * g, u = 0.1 delta^2.
    p = param([0.0])
    opt = Adadelta([p])
    p.grad = np.array([1.0])
    opt.step()
    delta = math.sqrt(1e-6) / math.sqrt(0.1 + 1e-6)
    np.testing.assert_allclose(p.data, [-delta], rtol=1e-15)
    np.testing.assert_allclose(opt.state[p]["acc_delta"], [0.1 * delta**2], rtol=1e-15)


# --- groups, dtypes, parameters without gradients -----------------------------------------------


@pytest.mark.parametrize(
    "make, reference, first, second",
    [
        (RMSprop, reference_rmsprop, {"lr": 0.02, "momentum": 0.9}, {"centered": True}),
        (Adagrad, reference_adagrad, {"lr_decay": 0.1}, {"lr": 0.3, "weight_decay": 0.01}),
        (Adadelta, reference_adadelta, {"rho": 0.5}, {"lr": 0.1, "eps": 1e-3}),
    ],
)
def test_parameter_groups_follow_their_own_options(make, reference, first, second):
    rng = np.random.default_rng(3)
    w0, w1 = rng.standard_normal(4), rng.standard_normal((2, 2))
    p0, p1 = param(w0), param(w1)
    opt = make([dict(first, params=[p0]), dict(second, params=[p1])])
    g0, g1 = grads_for(4, 6, seed=4), grads_for((2, 2), 6, seed=5)
    for a, b in zip(g0, g1, strict=True):
        p0.grad, p1.grad = a, b
        opt.step()
    np.testing.assert_allclose(p0.data, reference(w0, g0, **first), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(p1.data, reference(w1, g1, **second), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make", [RMSprop, Adagrad, Adadelta])
def test_float32_parameters_stay_float32_and_close_to_the_rule(make):
    rng = np.random.default_rng(6)
    w0 = rng.standard_normal(5)
    grads = grads_for(5, 5, seed=7)
    p = param(w0, dtype=np.float32)
    opt = make([p])
    for g in grads:
        p.grad = g.astype(np.float32)
        opt.step()
    assert p.data.dtype == np.float32
    assert all(buffer.dtype == np.float32 for buffer in opt.state[p].values() if isinstance(buffer, np.ndarray))
    reference = {RMSprop: reference_rmsprop, Adagrad: reference_adagrad, Adadelta: reference_adadelta}[make]
    np.testing.assert_allclose(p.data, reference(w0, grads), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [RMSprop, Adagrad, Adadelta])
def test_parameters_without_gradients_are_left_alone_and_zero_grad_clears(make):
    still, moving = param([1.0, 2.0]), param([3.0])
    opt = make([still, moving])
    moving.grad = np.array([1.0])
    opt.step()
    np.testing.assert_array_equal(still.data, [1.0, 2.0])
    assert still not in opt.state and moving.data[0] != 3.0
    opt.zero_grad()
    assert moving.grad is None


# --- state dicts ------------------------------------------------------------------------------

RESUMABLE = {
    "rmsprop": lambda ps: RMSprop(ps, lr=0.01, weight_decay=0.01),
    "rmsprop-centered-momentum": lambda ps: RMSprop(ps, lr=0.01, momentum=0.9, centered=True),
    "rmsprop-groups": lambda ps: RMSprop([{"params": ps[:1], "momentum": 0.5}, {"params": ps[1:], "centered": True}]),
    "adagrad": lambda ps: Adagrad(ps, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1),
    "adadelta": lambda ps: Adadelta([{"params": ps[:1], "rho": 0.8}, {"params": ps[1:]}], weight_decay=0.01),
}


def make_params():
    rng = np.random.default_rng(8)
    return [Tensor(rng.standard_normal((2, 3)), requires_grad=True), Tensor(rng.standard_normal(3), requires_grad=True)]


def take_steps(opt, params, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = g
        opt.step()


@pytest.mark.parametrize("name", sorted(RESUMABLE))
@pytest.mark.parametrize("through_file", [False, True])
def test_resumed_trajectory_equals_the_uninterrupted_one(name, through_file, tmp_path):
    rng = np.random.default_rng(9)
    grads = [[rng.standard_normal((2, 3)), rng.standard_normal(3)] for _ in range(8)]
    params = make_params()
    opt = RESUMABLE[name](params)
    take_steps(opt, params, grads)

    first = make_params()
    opt_first = RESUMABLE[name](first)
    take_steps(opt_first, first, grads[:4])
    checkpoint = opt_first.state_dict()
    if through_file:
        save(checkpoint, tmp_path / "opt.npz")
        checkpoint = load(tmp_path / "opt.npz")
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    opt_resumed = RESUMABLE[name](resumed)
    opt_resumed.load_state_dict(checkpoint)
    assert opt_resumed.state[resumed[0]]["step"] == 4
    take_steps(opt_resumed, resumed, grads[4:])
    for p, q in zip(params, resumed, strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_rmsprop_state_must_hold_the_buffers_its_options_need():
    params = make_params()
    opt = RMSprop(params)
    take_steps(opt, params, [[np.ones((2, 3)), np.ones(3)]])
    saved = opt.state_dict()
    assert set(saved["state"][0]) == {"step", "square_avg"}
    with_momentum = RMSprop(make_params(), momentum=0.9)
    saved["param_groups"][0]["momentum"] = 0.9  # options that need a momentum_buffer the state lacks
    with pytest.raises(ValueError, match="momentum_buffer"):
        with_momentum.load_state_dict(saved)
    assert with_momentum.state == {}


def test_state_of_another_optimizer_does_not_load():
    params = make_params()
    adagrad = Adagrad(params)
    take_steps(adagrad, params, [[np.ones((2, 3)), np.ones(3)]])
    adadelta = Adadelta(make_params())
    with pytest.raises(ValueError, match="Adadelta keeps"):
        adadelta.load_state_dict(adagrad.state_dict())


def test_switching_on_momentum_mid_training_starts_a_zero_buffer():
    p = param([1.0])
    opt = RMSprop([p], lr=0.1, alpha=0.5)
    p.grad = np.array([1.0])
    opt.step()
    opt.param_groups[0]["momentum"] = 0.9
    p.grad = np.array([1.0])
    opt.step()
    # v = 0.5 then 0.75; the new buffer is 0.9 * 0 + 1 / (sqrt(0.75) + 1e-8)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], [1 / (math.sqrt(0.75) + 1e-8)], rtol=1e-15)


# --- option checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda ps: RMSprop(ps, lr=-0.1), "lr.*-0.1"),
        (lambda ps: RMSprop(ps, alpha=-0.5), "alpha.*-0.5"),
        (lambda ps: RMSprop(ps, eps=-1.0), "eps.*-1.0"),
        (lambda ps: RMSprop(ps, momentum=-0.9), "momentum.*-0.9"),
        (lambda ps: RMSprop(ps, weight_decay=float("nan")), "weight_decay.*nan"),
        (lambda ps: Adagrad(ps, lr_decay=-1), "lr_decay.*-1"),
        (lambda ps: Adagrad(ps, initial_accumulator_value=-0.1), "initial_accumulator_value.*-0.1"),
        (lambda ps: Adagrad(ps, eps=-1e-10), "eps"),
        (lambda ps: Adadelta(ps, rho=1.5), r"rho.*\[0.0, 1.0\].*1.5"),
        (lambda ps: Adadelta(ps, rho=-0.1), "rho.*-0.1"),
        (lambda ps: Adadelta(ps, lr=-1.0), "lr.*-1.0"),
        (lambda ps: Adadelta([{"params": ps, "weight_decay": -1}]), "weight_decay.*group 0"),
    ],
)
def test_invalid_options_raise_value_error(make, words):
    with pytest.raises(ValueError, match=words):
        make([param([1.0])])


def test_defaults_are_pytorchs():
    p = param([1.0])
    assert {k: v for k, v in RMSprop([p]).param_groups[0].items() if k != "params"} == {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0,
        "momentum": 0,
        "centered": False,
    }
    adagrad = Adagrad([p]).param_groups[0]
    assert (adagrad["lr"], adagrad["lr_decay"], adagrad["weight_decay"], adagrad["eps"]) == (1e-2, 0, 0, 1e-10)
    adadelta = Adadelta([p]).param_groups[0]
    assert (adadelta["lr"], adadelta["rho"], adadelta["eps"], adadelta["weight_decay"]) == (1.0, 0.9, 1e-6, 0)
