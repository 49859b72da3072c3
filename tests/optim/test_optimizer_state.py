"""Optimizer state_dict / load_state_dict: layout, resumed trajectories, copies, checked loads."""

import numpy as np
import pytest

from minigrad.io import load, save
from minigrad.optim import SGD, Adam, AdamW
from minigrad.optim.lr_scheduler import StepLR
from minigrad.tensor import Tensor

FACTORIES = {
    "sgd": lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "nesterov": lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
    "adamw": lambda ps: AdamW([{"params": ps[:1], "lr": 0.05}, {"params": ps[1:]}], lr=0.01),
}


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal((2, 3)), requires_grad=True), Tensor(rng.standard_normal(3), requires_grad=True)]


def gradients(steps, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal((2, 3)), rng.standard_normal(3)] for _ in range(steps)]


def take_steps(opt, params, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = g
        opt.step()


def test_layout_is_like_pytorch():
    params = make_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    take_steps(opt, params, gradients(1))
    state = opt.state_dict()
    assert set(state) == {"state", "param_groups"}
    assert state["param_groups"] == [
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False, "params": [0, 1]}
    ]
    assert set(state["state"]) == {0, 1}
    np.testing.assert_array_equal(state["state"][0]["momentum_buffer"], opt.state[params[0]]["momentum_buffer"])


def test_adam_state_holds_step_and_moments():
    params = make_params()
    opt = Adam(params)
    take_steps(opt, params, gradients(2))
    saved = opt.state_dict()["state"][1]
    assert saved["step"] == 2 and set(saved) == {"step", "exp_avg", "exp_avg_sq"}


def test_state_dict_is_a_snapshot():
    params = make_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    take_steps(opt, params, gradients(1))
    snapshot = opt.state_dict()
    before = snapshot["state"][0]["momentum_buffer"].copy()
    take_steps(opt, params, gradients(2, seed=5))
    np.testing.assert_array_equal(snapshot["state"][0]["momentum_buffer"], before)


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("through_file", [False, True])
def test_resumed_trajectory_equals_the_uninterrupted_one(name, through_file, tmp_path):
    grads = gradients(6)
    # Uninterrupted run.
    params = make_params()
    opt = FACTORIES[name](params)
    take_steps(opt, params, grads)
    # Interrupted after 3 steps: save, rebuild everything fresh, load, go on.
    first = make_params()
    opt_first = FACTORIES[name](first)
    take_steps(opt_first, first, grads[:3])
    weights = [p.data.copy() for p in first]
    checkpoint = opt_first.state_dict()
    if through_file:
        save(checkpoint, tmp_path / "opt.npz")
        checkpoint = load(tmp_path / "opt.npz")
    resumed = [Tensor(w, requires_grad=True) for w in weights]
    opt_resumed = FACTORIES[name](resumed)
    opt_resumed.load_state_dict(checkpoint)
    take_steps(opt_resumed, resumed, grads[3:])
    for p, q in zip(params, resumed, strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_load_restores_group_options():
    params = make_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.param_groups[0]["lr"] = 0.01
    saved = opt.state_dict()
    other = SGD(make_params(), lr=0.5)
    other.load_state_dict(saved)
    assert other.param_groups[0]["lr"] == 0.01
    assert other.param_groups[0]["momentum"] == 0.9


def test_load_keeps_the_group_dicts_and_params():
    params = make_params()
    opt = SGD(params, lr=0.1)
    group = opt.param_groups[0]
    opt.load_state_dict(SGD(make_params(), lr=0.3).state_dict())
    assert opt.param_groups[0] is group and group["lr"] == 0.3
    assert group["params"][0] is params[0] and group["params"][1] is params[1]


def test_loaded_state_is_copied_not_aliased():
    params = make_params()
    opt = Adam(params)
    take_steps(opt, params, gradients(1))
    saved = opt.state_dict()
    other_params = make_params()
    other = Adam(other_params)
    other.load_state_dict(saved)
    saved["state"][0]["exp_avg"][...] = 123.0
    assert not np.any(other.state[other_params[0]]["exp_avg"] == 123.0)
    take_steps(other, other_params, gradients(1))
    assert not np.any(saved["state"][0]["exp_avg"] != 123.0)


def test_loaded_buffers_take_the_parameter_dtype():
    params = [Tensor(np.ones(3, dtype=np.float32), requires_grad=True)]
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.load_state_dict(
        {
            "state": {0: {"momentum_buffer": np.ones(3)}},
            "param_groups": [
                {"lr": 0.1, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False, "params": [0]}
            ],
        }
    )
    assert opt.state[params[0]]["momentum_buffer"].dtype == np.float32


def test_string_indices_and_array_param_lists_are_accepted():
    params = make_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    take_steps(opt, params, gradients(1))
    saved = opt.state_dict()
    saved["state"] = {str(k): v for k, v in saved["state"].items()}
    saved["param_groups"][0]["params"] = np.array([0, 1])
    other_params = make_params()
    other = SGD(other_params, lr=0.1, momentum=0.9)
    other.load_state_dict(saved)
    np.testing.assert_array_equal(
        other.state[other_params[1]]["momentum_buffer"], saved["state"]["1"]["momentum_buffer"]
    )


def test_scheduler_initial_lr_survives_a_file_round_trip(tmp_path):
    params = make_params()
    opt = SGD(params, lr=0.1)
    StepLR(opt, step_size=2)
    save(opt.state_dict(), tmp_path / "opt")
    other = SGD(make_params(), lr=0.5)
    other.load_state_dict(load(tmp_path / "opt"))
    assert other.param_groups[0]["initial_lr"] == 0.1


# --- failed loads leave the optimizer unchanged ---------------------------------------------------


def trained_sgd():
    params = make_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    take_steps(opt, params, gradients(1))
    return params, opt


def assert_unchanged(opt, before):
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    assert set(after["state"]) == set(before["state"])
    for index in before["state"]:
        np.testing.assert_array_equal(
            after["state"][index]["momentum_buffer"], before["state"][index]["momentum_buffer"]
        )


def bad_state_dicts():
    """(description, change to a valid state dict, words the error must contain)."""

    def group_count(s):
        s["param_groups"].append(dict(s["param_groups"][0], params=[]))

    def group_size(s):
        s["param_groups"][0]["params"] = [0]

    def buffer_shape(s):
        s["state"][1]["momentum_buffer"] = np.zeros(4)

    def wrong_keys(s):
        s["state"][0] = {"exp_avg": s["state"][0]["momentum_buffer"]}

    def unknown_index(s):
        s["state"][7] = s["state"][0]

    def bad_lr(s):
        s["param_groups"][0]["lr"] = -1.0

    def not_a_state_dict(s):
        del s["state"]

    return [
        (group_count, "2 parameter groups"),
        (group_size, "1 parameters"),
        (buffer_shape, "(4,)"),
        (wrong_keys, "momentum_buffer"),
        (unknown_index, "parameter 7"),
        (bad_lr, "-1.0"),
        (not_a_state_dict, "state"),
    ]


@pytest.mark.parametrize("change, words", bad_state_dicts())
def test_bad_load_raises_and_changes_nothing(change, words):
    _, opt = trained_sgd()
    before = opt.state_dict()
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = 0.5  # would be visible if anything were half-applied
    change(bad)
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        opt.load_state_dict(bad)
    assert_unchanged(opt, before)


def test_sgd_state_does_not_load_into_adam():
    _, sgd = trained_sgd()
    adam = Adam(make_params())
    with pytest.raises(ValueError, match="Adam keeps"):
        adam.load_state_dict(sgd.state_dict())
    assert adam.state == {}
