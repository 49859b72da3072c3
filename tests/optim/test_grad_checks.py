"""step() checks every .grad before it writes anything; each update counts as an in-place write (_version)."""

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.optim import SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop
from minigrad.tensor import Tensor

FACTORIES = {
    "sgd": lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "adam": lambda ps: Adam(ps, lr=0.01),
    "adamw": lambda ps: AdamW([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.1}]),
    "rmsprop": lambda ps: RMSprop(ps, momentum=0.9, centered=True),
    "adagrad": lambda ps: Adagrad(ps, lr_decay=0.1),
    "adadelta": lambda ps: Adadelta(ps),
}
SHAPES = [(2, 3), (3,), (), (4, 1)]


def make_params():
    rng = np.random.default_rng(0)
    return [Tensor(rng.standard_normal(shape), requires_grad=True) for shape in SHAPES]


def good_grads(seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in SHAPES]


def snapshot(opt, params):
    return [p.data.copy() for p in params], opt.state_dict()


def assert_same_state(a, b):
    assert a["param_groups"] == b["param_groups"]
    assert set(a["state"]) == set(b["state"])
    for index, entry in a["state"].items():
        assert set(entry) == set(b["state"][index])
        for name, value in entry.items():
            np.testing.assert_array_equal(value, b["state"][index][name])


BAD_GRADS = [
    ("wrong shape", lambda p: np.zeros((4, 2)), ValueError, r"parameter 3 has shape \(4, 2\).*shape \(4, 1\)"),
    ("transposed", lambda p: np.zeros((1, 4)), ValueError, r"parameter 3.*\(1, 4\).*\(4, 1\)"),
    ("a Tensor", lambda p: Tensor(np.zeros((4, 1))), TypeError, "parameter 3.*ndarray.*Tensor"),
    ("int dtype", lambda p: np.zeros((4, 1), dtype=np.int64), TypeError, "parameter 3.*float.*int64"),
    ("bool dtype", lambda p: np.zeros((4, 1), dtype=bool), TypeError, "parameter 3.*bool"),
    ("a list", lambda p: [[0.0]] * 4, TypeError, "parameter 3.*ndarray.*list"),
    ("a number", lambda p: 0.5, TypeError, "parameter 3.*float"),
    ("a NumPy scalar", lambda p: np.float64(0.5), TypeError, r"parameter 3.*float64 scalar.*np\.asarray"),
]


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("case, bad, error, words", BAD_GRADS, ids=[case[0] for case in BAD_GRADS])
def test_a_bad_grad_changes_nothing(name, case, bad, error, words):
    params = make_params()
    opt = FACTORIES[name](params)
    for seed in (1, 2):  # some state first, so "unchanged" covers buffers and step counts
        for p, g in zip(params, good_grads(seed), strict=True):
            p.grad = g
        opt.step()
    weights_before, state_before = snapshot(opt, params)
    for p, g in zip(params, good_grads(3), strict=True):
        p.grad = g
    params[3].grad = bad(params[3])

    with pytest.raises(error, match=words):
        opt.step()

    weights_after, state_after = snapshot(opt, params)
    for before, after in zip(weights_before, weights_after, strict=True):
        np.testing.assert_array_equal(before, after)
    assert_same_state(state_before, state_after)


def test_the_first_bad_grad_is_named_and_none_grads_are_skipped():
    params = make_params()
    opt = SGD(params, lr=0.1)
    params[0].grad = None
    params[1].grad = np.zeros((5,))
    params[3].grad = np.zeros((4, 1), dtype=np.int32)
    with pytest.raises(ValueError, match=r"parameter 1 has shape \(5,\), the parameter has shape \(3,\)"):
        opt.step()


def test_a_float32_grad_on_a_float64_parameter_is_fine():
    p = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = SGD([p], lr=0.5)
    p.grad = np.array([1.0, 1.0], dtype=np.float32)
    opt.step()
    np.testing.assert_array_equal(p.data, [0.5, 1.5])
    assert p.data.dtype == np.float64


def test_a_0d_parameter_takes_a_0d_grad_array_only():
    p = Tensor(np.array(1.0), requires_grad=True)
    opt = SGD([p], lr=0.5)
    p.grad = np.array(2.0)
    opt.step()
    assert p.data == 0.0
    p.grad = np.ones(1)
    with pytest.raises(ValueError, match=r"\(1,\).*\(\)"):
        opt.step()


def test_the_closure_runs_before_the_check():
    p = Tensor(np.array([1.0]), requires_grad=True)
    opt = Adam([p], lr=0.1)

    def closure():
        p.grad = np.array([2.0])
        return 7.0

    p.grad = np.array([1, 2])  # replaced by the closure before the check looks at it
    assert opt.step(closure) == 7.0
    assert opt.state[p]["step"] == 1


# --- versions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_each_step_counts_one_write_of_each_updated_parameter(name):
    params = [Parameter(np.ones(3)), Parameter(np.ones(2)), Parameter(np.ones((4, 1))), Parameter(np.ones(1))]
    opt = FACTORIES[name](params)
    start = [getattr(p, "_version", 0) for p in params]
    for _ in range(3):
        params[0].grad = np.ones(3)
        params[2].grad = np.ones((4, 1))
        opt.step()
    counted = [getattr(p, "_version", 0) - v for p, v in zip(params, start, strict=True)]
    assert counted == [3, 0, 3, 0]
    params[2].grad = np.ones(3)  # bad: nothing is written, nothing is counted
    with pytest.raises(ValueError):
        opt.step()
    assert params[0]._version - start[0] == 3


@pytest.mark.skipif(not hasattr(Tensor, "_version"), reason="Tensor has no _version slot yet")
def test_plain_tensors_count_versions_too():
    p = Tensor(np.ones(2), requires_grad=True)
    assert p._version == 0
    opt = SGD([p], lr=0.1)
    p.grad = np.ones(2)
    opt.step()
    opt.step()
    assert p._version == 2
