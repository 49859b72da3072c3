"""A user-defined op: subclass mg.autograd.Function, write forward on ndarrays and backward with
minigrad's ops, and gradcheck / gradgradcheck it like any built-in op (API.md, "Custom differentiable ops").
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function

rng = np.random.default_rng(3)


class StableSoftplus(Function):
    """log(1 + e^x), written so that it never overflows."""

    def forward(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, grad, out, x):
        return (grad * mg.sigmoid(x),)  # d softplus(x)/dx = σ(x)


class RoundStraightThrough(Function):
    """Round in the forward pass, the identity in the backward pass (a straight-through estimator)."""

    saves_tensors = False

    def forward(self, x):
        return np.round(x)

    def backward(self, grad, out, x):
        return (grad,)  # pretend d round(x)/dx = 1, so a quantised network still learns


class ScaledDifference(Function):
    """scale·(a - b): two inputs, a constructor parameter, and None for an input that needs no gradient."""

    def __init__(self, scale):
        self.scale = scale

    def forward(self, a, b):
        return self.scale * (a - b)

    def backward(self, grad, out, a, b):
        ga = grad * self.scale if self.needs[0] else None
        gb = grad * -self.scale if self.needs[1] else None
        return ga, gb  # d/da = scale, d/db = -scale


def test_a_custom_softplus_passes_gradcheck_and_gradgradcheck():
    x = mg.tensor(rng.normal(size=(3, 4)) * 3, requires_grad=True)
    assert mg.gradcheck(lambda t: StableSoftplus()(t), (x,))
    assert mg.gradgradcheck(lambda t: StableSoftplus()(t), (x,))
    assert mg.gradgradcheck(lambda t: StableSoftplus()(t * t).sum(), (x,))  # inside a larger graph


def test_the_custom_softplus_values_and_its_gradient():
    x = np.array([-1000.0, -2.0, 0.0, 1.5, 1000.0])
    t = mg.tensor(x, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        out = StableSoftplus()(t)
        out.sum().backward()
    assert out.requires_grad and out.dtype == np.float64
    np.testing.assert_allclose(out.data, [0.0, np.log1p(np.exp(-2.0)), np.log(2.0), np.log1p(np.exp(1.5)), 1000.0])
    sigmoid = [0.0, 1 / (1 + np.exp(2.0)), 0.5, 1 / (1 + np.exp(-1.5)), 1.0]  # σ(-1000) = 0 in float64
    np.testing.assert_allclose(t.grad, sigmoid, rtol=1e-15)
    # on plain arrays a Function is plain NumPy
    assert type(StableSoftplus()(x)) is np.ndarray


def test_a_straight_through_estimator_rounds_forward_and_passes_the_gradient_back():
    x = mg.tensor(np.array([-1.6, -0.2, 0.4, 2.5]), requires_grad=True)
    out = RoundStraightThrough()(x)
    assert out.tolist() == [-2.0, -0.0, 0.0, 2.0]
    (out * np.array([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0, 4.0])  # the upstream gradient, unchanged
    # gradcheck sees that this is not round's true derivative (0): that is the point of the estimator
    fresh = mg.tensor(x.data, requires_grad=True)
    assert mg.gradcheck(lambda t: RoundStraightThrough()(t), (fresh,), raise_exception=False) is False


def test_a_straight_through_estimator_inside_a_smooth_graph_is_gradgradchecked():
    # f(x) = x³ + STE(x): the estimator's backward (the identity) is differentiated again under
    # create_graph, and the second derivative 6x is the true one.
    x = mg.tensor(rng.uniform(0.1, 0.4, 5) + np.arange(5), requires_grad=True)  # away from round's jumps
    assert mg.gradgradcheck(lambda t: t**3 + RoundStraightThrough()(t), (x,))
    (first,) = mg.grad((x**3 + RoundStraightThrough()(x)).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.data, 3 * x.data**2 + 1)
    (second,) = mg.grad(first.sum(), x)
    np.testing.assert_allclose(second.data, 6 * x.data)


def test_a_two_input_custom_op_with_a_parameter():
    a = mg.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b = mg.tensor(rng.normal(size=(3,)), requires_grad=True)  # broadcast: the engine sums the gradient back
    assert mg.gradcheck(lambda p, q: ScaledDifference(2.5)(p, q), (a, b))
    assert mg.gradgradcheck(lambda p, q: ScaledDifference(2.5)(p, q) ** 2, (a, b))
    out = ScaledDifference(2.5)(a, b.detach())  # b needs no gradient: backward returns None for it
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 2.5))
    assert b.grad is None


def test_a_wrong_custom_backward_is_caught_by_gradcheck():
    class WrongSoftplus(StableSoftplus):
        def backward(self, grad, out, x):
            return (grad * mg.sigmoid(-x),)  # the sign is wrong

    x = mg.tensor(rng.normal(size=4) + 1.0, requires_grad=True)
    with pytest.raises(mg.GradcheckError):
        mg.gradcheck(lambda t: WrongSoftplus()(t), (x,))
