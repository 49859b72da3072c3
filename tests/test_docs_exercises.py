"""The worked solutions of docs/writing-your-own-op.md's exercises, checked.

The page's blocks also run in tests/test_docs.py; here each solution is checked on its own,
with the values written out and the failure of the wrong backward asserted.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function
from minigrad.gradcheck import GradcheckError

rng = np.random.default_rng(7)


class Softplus(Function):
    def forward(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, g, out, x):
        return (g * mg.sigmoid(x),)  # d softplus(x)/dx = σ(x)


class WrongXExp(Function):
    def forward(self, a):
        return a * np.exp(a)

    def backward(self, g, out, a):
        return (g * mg.exp(a),)  # WRONG on purpose: the product rule's a·eᵃ is missing


class XExp(Function):
    def forward(self, a):
        return a * np.exp(a)

    def backward(self, g, out, a):
        return (g * (out + mg.exp(a)),)  # d(a eᵃ)/da = eᵃ + a eᵃ


class MatMul2D(Function):
    def forward(self, a, b):
        return a @ b

    def backward(self, g, out, a, b):
        # dA = G Bᵀ, dB = Aᵀ G
        return (g @ b.T if self.needs[0] else None), (a.T @ g if self.needs[1] else None)


def test_softplus_is_finite_and_accurate_where_the_naive_formula_is_not():
    x = np.array([-1000.0, -40.0, 0.0, 3.0, 1000.0])
    with np.errstate(over="ignore"):
        naive = np.log(1 + np.exp(x))
    assert np.isinf(naive[-1]) and naive[1] == 0.0  # overflow, and e^-40 lost against 1
    values = Softplus()(mg.tensor(x)).data
    assert values[0] == 0.0 and values[-1] == 1000.0
    assert values[1] == pytest.approx(np.exp(-40.0), rel=1e-12)  # log(1 + ε) ≈ ε
    assert values[2] == pytest.approx(np.log(2.0), rel=1e-15)
    assert values[3] == pytest.approx(3.0 + np.log1p(np.exp(-3.0)), rel=1e-15)


def test_softplus_gradient_is_the_sigmoid_and_passes_both_checks():
    t = mg.tensor([-1000.0, 0.0, 2.0, 1000.0], dtype=mg.float64, requires_grad=True)
    Softplus()(t).sum().backward()
    np.testing.assert_allclose(t.grad, [0.0, 0.5, 1 / (1 + np.exp(-2.0)), 1.0], rtol=1e-15)
    x = mg.tensor(rng.normal(size=(3, 4)) * 4, requires_grad=True)
    assert mg.gradcheck(lambda a: Softplus()(a), (x,))
    assert mg.gradgradcheck(lambda a: Softplus()(a), (x,))


def test_gradcheck_catches_the_missing_product_rule_factor():
    x = mg.tensor([0.5, -1.0, 2.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="input 0"):
        mg.gradcheck(lambda a: WrongXExp()(a), (x,))
    assert mg.gradcheck(lambda a: WrongXExp()(a), (x,), raise_exception=False) is False
    # at a = 0 the missing term a·eᵃ is 0, so a check there alone would not see the slip
    zero = mg.tensor([0.0], dtype=mg.float64, requires_grad=True)
    assert mg.gradcheck(lambda a: WrongXExp()(a), (zero,))


def test_the_corrected_backward_passes_and_matches_the_formula():
    x = mg.tensor([0.5, -1.0, 2.0], dtype=mg.float64, requires_grad=True)
    XExp()(x).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data) * (1 + x.data), rtol=1e-15)
    assert mg.gradcheck(lambda a: XExp()(a), (x,)) and mg.gradgradcheck(lambda a: XExp()(a), (x,))


def test_matmul_gradients_are_g_bT_and_aT_g():
    A = mg.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    B = mg.tensor(rng.normal(size=(4, 2)), requires_grad=True)
    G = rng.normal(size=(3, 2))
    MatMul2D()(A, B).backward(G)
    np.testing.assert_allclose(A.grad, G @ B.data.T, rtol=1e-14)
    np.testing.assert_allclose(B.grad, A.data.T @ G, rtol=1e-14)
    assert A.grad.shape == (3, 4) and B.grad.shape == (4, 2)
    assert mg.gradcheck(lambda a, b: MatMul2D()(a, b), (A, B))
    assert mg.gradgradcheck(lambda a, b: MatMul2D()(a, b), (A, B))


def test_matmul_agrees_with_the_builtin_op_and_skips_a_constant():
    A = mg.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    B = rng.normal(size=(3, 5))  # a constant: needs[1] is False
    node_out = MatMul2D()(A, B)
    np.testing.assert_allclose(node_out.data, (A @ B).data, rtol=1e-15)
    assert node_out._node.needs == (True, False)
    (gA,) = mg.grad(node_out.sum(), A)
    (gA_builtin,) = mg.grad((A @ B).sum(), A)
    np.testing.assert_allclose(gA.data, gA_builtin.data, rtol=1e-14)
