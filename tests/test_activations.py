"""Activations: values against PyTorch's formulas written out in NumPy, dtypes, the gradients at
the kinks (PyTorch's values, written in), stability for huge inputs, and the nn modules.

The smooth parts' first and second derivatives are in the op table (tests/op_cases/activations.py);
the compositions without a Function of their own (silu, softsign, softmin) are gradchecked here.
"""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

rng = np.random.default_rng(11)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)  # an independent erf for the references


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    # PyTorch's documented formula: log(1 + exp(beta x)) / beta, reverting to x where beta x > threshold
    with np.errstate(over="ignore"):
        return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


# (function, reference formula in NumPy)
REFERENCES = {
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    "gelu_tanh": (
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    ),
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x >= 0, x, 0.01 * x)),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: np.maximum(x, 0) + 0.2 * np.minimum(x, 0)),
    "elu": (F.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    "elu_0.5": (lambda x: F.elu(x, alpha=0.5), lambda x: np.maximum(x, 0) + np.minimum(0, 0.5 * (np.exp(x) - 1))),
    "selu": (F.selu, lambda x: SELU_SCALE * (np.maximum(x, 0) + np.minimum(0, SELU_ALPHA * (np.exp(x) - 1)))),
    "silu": (F.silu, lambda x: x * _sigmoid(x)),
    "softplus": (F.softplus, _softplus),
    "softplus_2_1": (lambda x: F.softplus(x, beta=2.0, threshold=1.0), lambda x: _softplus(x, 2.0, 1.0)),
    "mish": (F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    "hardtanh": (F.hardtanh, lambda x: np.where(x > 1, 1, np.where(x < -1, -1, x))),
    "hardtanh_-2_0.5": (lambda x: F.hardtanh(x, -2.0, 0.5), lambda x: np.minimum(np.maximum(x, -2), 0.5)),
    "relu6": (F.relu6, lambda x: np.minimum(np.maximum(0, x), 6)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.where(x <= -3, 0, np.where(x >= 3, 1, x / 6 + 0.5))),
    "hardswish": (F.hardswish, lambda x: np.where(x <= -3, 0, np.where(x >= 3, x, x * (x + 3) / 6))),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "logsigmoid": (F.logsigmoid, lambda x: np.log(_sigmoid(x))),
}
GRID = np.concatenate([np.linspace(-8, 8, 161), [-3.0, 3.0, -1.0, 1.0, 0.0, 6.0, 10.0, 20.0, 0.5]])


@pytest.mark.parametrize("name", REFERENCES)
def test_values_match_pytorchs_formulas(name):
    fn, reference = REFERENCES[name]
    out = fn(mg.tensor(GRID, requires_grad=True))
    assert out.dtype == np.float64 and out.requires_grad
    np.testing.assert_allclose(out.data, reference(GRID), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", REFERENCES)
def test_float32_stays_float32(name):
    fn, reference = REFERENCES[name]
    x = GRID.astype(np.float32)
    out = fn(mg.tensor(x, requires_grad=True))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, reference(x.astype(np.float64)), rtol=2e-6, atol=2e-6)


def test_softmin_is_softmax_of_minus_x_along_axis_or_dim():
    x = rng.normal(size=(3, 4))
    expected_last = np.exp(-x) / np.exp(-x).sum(axis=-1, keepdims=True)
    expected_first = np.exp(-x) / np.exp(-x).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(F.softmin(mg.tensor(x)).data, expected_last, rtol=1e-14)
    np.testing.assert_allclose(F.softmin(mg.tensor(x), axis=0).data, expected_first, rtol=1e-14)
    np.testing.assert_allclose(F.softmin(mg.tensor(x), dim=0).data, expected_first, rtol=1e-14)
    with pytest.raises(TypeError, match="both"):
        F.softmin(mg.tensor(x), axis=0, dim=0)
    with pytest.raises(ValueError, match="out of range"):
        F.softmin(mg.tensor(x), axis=2)


# --- gradients at the kinks: PyTorch's values (torch 2.13, float64) -----------------------------


def _grad_at(fn, points):
    x = mg.tensor(np.array(points, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


def test_gradients_at_the_kinks_are_pytorchs():
    assert _grad_at(F.hardtanh, [-1.0, 1.0, 0.0, -2.0, 2.0]) == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert _grad_at(lambda x: F.hardtanh(x, -0.5, 0.5), [-0.5, 0.5]) == [0.0, 0.0]
    assert _grad_at(F.relu6, [0.0, 6.0, 3.0, -1.0, 7.0]) == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert _grad_at(F.leaky_relu, [0.0, 1.0, -1.0]) == [0.01, 1.0, 0.01]  # the negative slope at 0
    assert _grad_at(lambda x: F.leaky_relu(x, 0.2), [0.0]) == [0.2]
    assert _grad_at(F.elu, [0.0, 1.0]) == [1.0, 1.0]
    assert _grad_at(lambda x: F.elu(x, alpha=2.0), [0.0]) == [2.0]  # α·e^0: the negative side at 0
    assert _grad_at(F.selu, [0.0]) == pytest.approx([SELU_SCALE * SELU_ALPHA], rel=1e-15)  # 1.7580993408473766
    assert _grad_at(F.hardsigmoid, [-3.0, 3.0, -4.0, 4.0]) == [0.0, 0.0, 0.0, 0.0]
    assert _grad_at(F.hardsigmoid, [0.0]) == pytest.approx([1 / 6], rel=1e-15)
    assert _grad_at(F.hardswish, [-3.0, 3.0, 0.0, -4.0, 4.0]) == [0.0, 1.0, 0.5, 0.0, 1.0]
    assert _grad_at(F.softplus, [20.0, 20.000001]) == [pytest.approx(1 / (1 + math.exp(-20)), rel=1e-15), 1.0]
    assert _grad_at(lambda x: F.softplus(x, beta=2.0), [10.0]) == [pytest.approx(1 / (1 + math.exp(-20)), rel=1e-15)]
    assert _grad_at(F.softsign, [0.0]) == [1.0]
    assert _grad_at(F.silu, [0.0]) == [0.5]
    assert _grad_at(F.mish, [0.0]) == [pytest.approx(0.6, rel=1e-15)]  # tanh(ln 2)
    assert _grad_at(F.gelu, [0.0]) == [0.5]
    assert _grad_at(lambda x: F.gelu(x, approximate="tanh"), [0.0]) == [0.5]


def test_hardswish_second_derivative_is_one_third_inside_like_pytorch():
    x = mg.tensor(np.array([-3.0, 3.0, -2.0, 0.5]), requires_grad=True)
    (first,) = mg.grad(F.hardswish(x).sum(), x, create_graph=True)
    (second,) = mg.grad(first.sum(), x)
    np.testing.assert_allclose(second.data, [0.0, 0.0, 1 / 3, 1 / 3], rtol=1e-15)


def test_smooth_gradients_match_the_derivatives_written_out():
    x = np.linspace(-4, 4, 33) + 0.01  # away from the kinks at 0 and ±3
    phi = np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)
    cdf = 0.5 * (1 + _erf(x / np.sqrt(2)))
    t = np.tanh(np.log1p(np.exp(x)))
    derivatives = {
        "gelu": cdf + x * phi,
        "silu": _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
        "elu": np.where(x > 0, 1, np.exp(x)),
        "softplus": _sigmoid(x),
        "mish": t + x * _sigmoid(x) * (1 - t**2),
        "softsign": 1 / (1 + np.abs(x)) ** 2,
        "hardswish": np.where(x < -3, 0, np.where(x > 3, 1, x / 3 + 0.5)),
        "logsigmoid": 1 - _sigmoid(x),
    }
    for name, expected in derivatives.items():
        np.testing.assert_allclose(_grad_at(REFERENCES[name][0], x), expected, rtol=1e-13, atol=1e-16, err_msg=name)


@pytest.mark.parametrize(
    "fn,make",
    [
        (F.silu, lambda: rng.normal(size=(3, 4)) * 2),
        (F.softsign, lambda: rng.uniform(0.2, 3, (3, 4)) * rng.choice([-1, 1], (3, 4))),
        (F.softmin, lambda: rng.normal(size=(3, 4))),
        (lambda x: F.softmin(x, dim=0), lambda: rng.normal(size=(3, 4))),
        (F.selu, lambda: rng.uniform(0.2, 3, (5,)) * rng.choice([-1, 1], 5)),
        (lambda x: F.gelu(x, approximate="tanh"), lambda: np.array(0.7)),
    ],
    ids=["silu", "softsign", "softmin", "softmin_dim0", "selu", "gelu_tanh_0d"],
)
def test_compositions_first_and_second_order(fn, make):
    x = mg.tensor(make(), requires_grad=True)
    assert mg.gradcheck(fn, (x,))
    assert mg.gradgradcheck(fn, (x,))


def test_huge_inputs_give_finite_values_and_gradients_without_warnings():
    x = np.array([-1e4, -100.0, 100.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, nan or division by 0
        for name in ("gelu", "gelu_tanh", "elu", "selu", "silu", "softplus", "mish", "softsign", "logsigmoid"):
            fn = REFERENCES[name][0]
            t = mg.tensor(x, requires_grad=True)
            out = fn(t)
            out.sum().backward()
            assert np.isfinite(out.data).all() and np.isfinite(t.grad).all(), name
    assert F.softplus(mg.tensor(x)).tolist() == [0.0, pytest.approx(math.exp(-100)), 100.0, 1e4]
    assert F.elu(mg.tensor(x)).tolist() == [-1.0, -1.0, 100.0, 1e4]
    assert F.gelu(mg.tensor(x)).tolist() == [0.0, 0.0, 100.0, 1e4]
    # a threshold too high for float32 still does not overflow (PyTorch's log1p(exp(βx)) would)
    big = F.softplus(mg.tensor(np.array([200.0], dtype=np.float32)), threshold=1e9)
    assert big.dtype == np.float32 and big.item() == 200.0


def test_bad_arguments_fail_at_the_call():
    x = mg.tensor([0.5])
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'erf'"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="min_val <= max_val, got min_val=1.0 > max_val=-1.0"):
        F.hardtanh(x, 1.0, -1.0)
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="min_val <= max_val"):
        nn.Hardtanh(2.0, 1.0)


def test_integer_inputs_give_float32():
    ints = mg.tensor([-4, -1, 0, 2, 7])
    for fn in (F.gelu, F.leaky_relu, F.elu, F.softplus, F.hardtanh, F.relu6, F.hardsigmoid, F.hardswish):
        out = fn(ints)
        assert out.dtype == np.float32 and not out.requires_grad, fn.__name__


# --- nn modules ------------------------------------------------------------------------------

MODULES = [
    (nn.GELU(), F.gelu, "GELU(approximate='none')"),
    (nn.GELU(approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"), "GELU(approximate='tanh')"),
    (nn.LeakyReLU(), F.leaky_relu, "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2), "LeakyReLU(negative_slope=0.2)"),
    (nn.ELU(alpha=0.5), lambda x: F.elu(x, 0.5), "ELU(alpha=0.5)"),
    (nn.SELU(), F.selu, "SELU()"),
    (nn.SiLU(), F.silu, "SiLU()"),
    (nn.Softplus(beta=2.0, threshold=3.0), lambda x: F.softplus(x, 2.0, 3.0), "Softplus(beta=2.0, threshold=3.0)"),
    (nn.Mish(), F.mish, "Mish()"),
    (nn.Hardtanh(-2.0, 0.5), lambda x: F.hardtanh(x, -2.0, 0.5), "Hardtanh(min_val=-2.0, max_val=0.5)"),
    (nn.ReLU6(), F.relu6, "ReLU6()"),
    (nn.Hardsigmoid(), F.hardsigmoid, "Hardsigmoid()"),
    (nn.Hardswish(), F.hardswish, "Hardswish()"),
    (nn.Softsign(), F.softsign, "Softsign()"),
    (nn.LogSigmoid(), F.logsigmoid, "LogSigmoid()"),
    (nn.Softmin(), F.softmin, "Softmin(axis=-1)"),
    (nn.Softmin(dim=0), lambda x: F.softmin(x, axis=0), "Softmin(axis=0)"),
    (nn.Softmin(0), lambda x: F.softmin(x, axis=0), "Softmin(axis=0)"),
]


@pytest.mark.parametrize("module,fn,text", MODULES, ids=[m[2] for m in MODULES])
def test_modules_equal_their_functions(module, fn, text):
    x = rng.normal(size=(3, 4)) * 4
    a, b = mg.tensor(x, requires_grad=True), mg.tensor(x, requires_grad=True)
    out = module(a)
    np.testing.assert_array_equal(out.data, fn(b).data)
    weights = rng.normal(size=(3, 4))
    (out * weights).sum().backward()
    (fn(b) * weights).sum().backward()
    np.testing.assert_array_equal(a.grad, b.grad)
    assert repr(module) == text
    assert list(module.parameters()) == []


def test_softmin_module_refuses_both_spellings():
    with pytest.raises(TypeError, match="both"):
        nn.Softmin(axis=0, dim=0)


def test_functional_exports():
    names = ["gelu", "leaky_relu", "elu", "selu", "silu", "softplus", "mish", "hardtanh", "relu6"]
    names += ["hardsigmoid", "hardswish", "softsign", "softmin", "logsigmoid"]
    for name in names:
        assert name in F.__all__ and callable(getattr(F, name)), name


def test_a_small_network_with_the_new_activations_trains():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.GELU(), nn.Linear(16, 16), nn.Hardswish(), nn.Linear(16, 1))
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + x[:, 1:] ** 2).astype(np.float32)
    optimizer = mg.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(150):
        optimizer.zero_grad()
        loss = F.mse_loss(model(mg.tensor(x)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
