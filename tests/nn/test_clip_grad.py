"""nn.utils.clip_grad_norm_ and clip_grad_value_: norms against NumPy, clipped grads, PyTorch's edge rules."""

import math

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_
from minigrad.tensor import Tensor

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]


def params_with_grads(seed=0, scale=1.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = [Parameter(np.zeros(shape, dtype=dtype)) for shape in SHAPES]
    for p in params:
        p.grad = np.asarray(scale * rng.standard_normal(p.data.shape), dtype=dtype)
    return params


def concatenated(grads):
    return np.concatenate([np.ravel(g) for g in grads])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, float("inf"), "inf"])
def test_total_norm_and_clipped_grads(norm_type):
    params = params_with_grads(scale=3.0)
    before = [p.grad.copy() for p in params]
    total_want = np.linalg.norm(concatenated(before), ord=float(norm_type))
    max_norm = 0.25 * total_want

    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)

    assert type(total) is float
    assert total == pytest.approx(total_want, rel=1e-12)
    scale = max_norm / (total_want + 1e-6)
    for p, g in zip(params, before, strict=True):
        np.testing.assert_allclose(p.grad, g * scale, rtol=1e-12)
    assert np.linalg.norm(concatenated([p.grad for p in params]), ord=float(norm_type)) == pytest.approx(
        max_norm, rel=1e-6
    )


def test_grads_under_the_limit_are_left_alone():
    params = params_with_grads()
    arrays = [p.grad for p in params]
    copies = [g.copy() for g in arrays]
    total = clip_grad_norm_(params, max_norm=100.0)
    assert total == pytest.approx(np.linalg.norm(concatenated(copies)), rel=1e-12)
    for p, array, copy in zip(params, arrays, copies, strict=True):
        assert p.grad is array
        np.testing.assert_array_equal(p.grad, copy)


def test_a_total_equal_to_max_norm_is_scaled_by_max_over_total_plus_1e_6_like_pytorch():
    p = Parameter(np.zeros(2))
    p.grad = np.array([3.0, 4.0])
    assert clip_grad_norm_(p, max_norm=5.0) == 5.0
    np.testing.assert_allclose(p.grad, np.array([3.0, 4.0]) * 5.0 / (5.0 + 1e-6), rtol=1e-15)


def test_worked_by_hand_with_a_single_tensor_and_none_grads_skipped():
    p, q, skipped = Parameter(np.zeros(2)), Parameter(np.zeros(1)), Parameter(np.zeros(3))
    p.grad, q.grad = np.array([3.0, 0.0]), np.array([-4.0])
    total = clip_grad_norm_(iter([p, skipped, q]), max_norm=1.0)
    assert total == 5.0
    np.testing.assert_allclose(p.grad, [3 / (5 + 1e-6), 0.0], rtol=1e-15)
    np.testing.assert_allclose(q.grad, [-4 / (5 + 1e-6)], rtol=1e-15)
    assert skipped.grad is None
    assert clip_grad_norm_([skipped], 1.0) == 0.0


def test_float32_grads_stay_float32_and_held_arrays_are_not_changed():
    params = params_with_grads(dtype=np.float32, scale=10.0)
    held = params[0].grad
    copy = held.copy()
    clip_grad_norm_(params, 1.0)
    assert all(p.grad.dtype == np.float32 for p in params)
    np.testing.assert_array_equal(held, copy)
    assert np.linalg.norm(concatenated([p.grad for p in params]).astype(np.float64)) == pytest.approx(1.0, rel=1e-5)


def test_non_finite_norm():
    p = Parameter(np.zeros(3))
    p.grad = np.array([1.0, np.inf, 2.0])
    with pytest.raises(RuntimeError, match="inf"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad, [1.0, np.inf, 2.0])
    with np.errstate(invalid="ignore"):
        assert clip_grad_norm_([p], 1.0) == math.inf
    assert np.all(np.isnan(p.grad[1:2])) and np.all(p.grad[[0, 2]] == 0)  # PyTorch's: grads * 0


def test_a_bad_grad_raises_before_any_grad_changes():
    params = params_with_grads(scale=5.0)
    first = params[0].grad
    params[2].grad = np.zeros(4)
    with pytest.raises(ValueError, match=r"parameter 2 has shape \(4,\).*shape \(\)"):
        clip_grad_norm_(params, 0.1)
    assert params[0].grad is first
    params[2].grad = Tensor(np.zeros(()))
    with pytest.raises(TypeError, match="parameter 2.*Tensor"):
        clip_grad_value_(params, 0.1)
    assert params[0].grad is first


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda ps: clip_grad_norm_(ps, -1.0), ValueError, "max_norm.*-1.0"),
        (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0), ValueError, "norm_type.*0"),
        (lambda ps: clip_grad_norm_(ps, "1"), ValueError, "max_norm"),
        (lambda ps: clip_grad_value_(ps, -0.5), ValueError, "clip_value.*-0.5"),
        (lambda ps: clip_grad_norm_([np.zeros(2)], 1.0), TypeError, "parameter 0.*ndarray"),
    ],
)
def test_argument_errors(call, error, words):
    with pytest.raises(error, match=words):
        call(params_with_grads())


def test_clip_grad_value():
    params = params_with_grads(scale=2.0)
    before = [p.grad.copy() for p in params]
    params.append(Parameter(np.zeros(2)))  # no grad: skipped
    assert clip_grad_value_(params, 0.7) is None
    for p, g in zip(params, before, strict=False):
        np.testing.assert_array_equal(p.grad, np.clip(g, -0.7, 0.7))
    assert params[-1].grad is None
    assert any(np.any(np.abs(g) > 0.7) for g in before)  # something was clipped


def test_clip_grad_value_keeps_float32_and_takes_a_single_tensor():
    p = Parameter(np.zeros(4, dtype=np.float32))
    p.grad = np.array([-3.0, -0.1, 0.2, 5.0], dtype=np.float32)
    clip_grad_value_(p, 1)
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(p.grad, np.array([-1.0, -0.1, 0.2, 1.0], dtype=np.float32))
