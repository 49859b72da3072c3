"""Invalid optimizer construction fails at the call with an error naming the bad value."""

import numpy as np
import pytest

from minigrad.optim import SGD, Adam, AdamW
from minigrad.tensor import Tensor


def param(values=(1.0, 2.0)):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda ps: SGD(ps, lr=-0.1), "lr.*-0.1"),
        (lambda ps: SGD(ps, lr=float("nan")), "lr.*nan"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "momentum.*-0.5"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1e-4), "weight_decay.*-0.0001"),
        (lambda ps: SGD(ps, lr=0.1, nesterov=True), "Nesterov.*momentum=0.0"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov.*dampening=0.1"),
        (lambda ps: Adam(ps, lr=-1.0), "lr.*-1.0"),
        (lambda ps: Adam(ps, eps=-1e-8), "eps.*-1e-08"),
        (lambda ps: Adam(ps, weight_decay=-0.1), "weight_decay.*-0.1"),
        (lambda ps: Adam(ps, betas=(1.0, 0.999)), "index 0.*1.0"),
        (lambda ps: Adam(ps, betas=(0.9, -0.1)), "index 1.*-0.1"),
        (lambda ps: Adam(ps, betas=(0.9, 1.5)), "index 1.*1.5"),
        (lambda ps: Adam(ps, betas=(0.9,)), "pair"),
        (lambda ps: AdamW(ps, weight_decay=-0.01), "weight_decay.*-0.01"),
        (lambda ps: AdamW(ps, betas=(0.9, 1.0)), "index 1.*1.0"),
        (lambda ps: SGD(ps, lr="0.1"), "lr.*'0.1'"),
    ],
)
def test_invalid_options_raise_value_error(make, words):
    with pytest.raises(ValueError, match=words):
        make([param()])


def test_invalid_option_in_a_group_names_the_group():
    with pytest.raises(ValueError, match=r"momentum.*-0.9.*group 1"):
        SGD([{"params": [param()]}, {"params": [param()], "momentum": -0.9}], lr=0.1)
    with pytest.raises(ValueError, match=r"lr.*-2.*group 0"):
        Adam([{"params": [param()], "lr": -2}])


def test_empty_parameter_list():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam(iter([]))


def test_parameter_in_two_groups():
    shared = param()
    with pytest.raises(ValueError, match="more than once"):
        SGD([{"params": [shared]}, {"params": [param(), shared]}], lr=0.1)


def test_parameter_twice_in_one_group():
    shared = param()
    with pytest.raises(ValueError, match="more than once"):
        SGD([shared, shared], lr=0.1)


def test_add_param_group_checks_too():
    p = param()
    opt = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [param()], "lr": -1})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [param()], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.0


def test_a_group_without_params():
    with pytest.raises(ValueError, match="'params'"):
        SGD([{"lr": 0.1}], lr=0.1)


def test_a_single_tensor_or_a_dict_is_not_an_iterable_of_parameters():
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(param(), lr=0.1)
    with pytest.raises(TypeError, match="got a dict"):
        SGD({"params": [param()]}, lr=0.1)


def test_non_tensor_and_non_float_parameters():
    with pytest.raises(TypeError, match="ndarray"):
        SGD([np.ones(3)], lr=0.1)
    with pytest.raises(TypeError, match="int64"):
        SGD([Tensor(np.array([1, 2]))], lr=0.1)


def test_non_leaf_parameter():
    leaf = param()
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([leaf * 2], lr=0.1)


def test_sets_are_refused_because_their_order_is_not_fixed():
    with pytest.raises(TypeError, match="set"):
        SGD([{"params": {param()}}], lr=0.1)
