"""ops/statistics.py: var, std, prod, cumsum, cumprod, norm, all, any against NumPy and hand-worked gradients."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.statistics import all, any, cumprod, cumsum, norm, prod, std, var

rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 4))


def grad_of(fn, values, weights=None):
    """d Σ(weights · fn(x)) / dx at ``values`` (float64)."""
    x = mg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    out = fn(x)
    (out * (1.0 if weights is None else np.asarray(weights))).sum().backward()
    return x.grad


def hessian(fn, values):
    """The matrix of second derivatives of the scalar fn(x) at a 1-D ``values``, via create_graph."""
    x = mg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    (g,) = mg.grad(fn(x), [x], create_graph=True)
    return np.stack([mg.grad(g[i], [x], retain_graph=True, allow_unused=True)[0].data for i in range(len(values))])


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_and_std_match_numpy(axis, keepdims, ddof):
    x = mg.tensor(X)
    assert np.allclose(
        var(x, axis=axis, keepdims=keepdims, ddof=ddof).data, np.var(X, axis, keepdims=keepdims, ddof=ddof)
    )
    assert np.allclose(
        std(x, axis=axis, keepdims=keepdims, ddof=ddof).data, np.std(X, axis, keepdims=keepdims, ddof=ddof)
    )


def test_var_gradient_by_hand_and_integer_input():
    # var([1, 2, 6]) = 14/3; d/dx_i = 2 (x_i - 3) / 3
    assert np.allclose(grad_of(var, [1.0, 2.0, 6.0]), [-4 / 3, -2 / 3, 2.0])
    assert np.allclose(grad_of(lambda x: var(x, ddof=1), [1.0, 2.0, 6.0]), [-2.0, -1.0, 3.0])
    result = var(mg.tensor([1, 2, 6]))
    assert result.dtype == np.float32 and np.isclose(result.item(), 14 / 3)


def test_std_of_a_constant_has_gradient_zero_not_nan():
    assert std(mg.tensor([2.0, 2.0, 2.0])).item() == 0.0
    assert np.array_equal(grad_of(std, [2.0, 2.0, 2.0]), [0.0, 0.0, 0.0])
    # std([0, 4]) = 2; d/dx_i = (x_i - 2) / (2 · 2)
    assert np.allclose(grad_of(std, [0.0, 4.0]), [-0.5, 0.5])


def test_prod_values_and_gradients_with_zeros_like_pytorch():
    assert np.allclose(prod(mg.tensor(X), axis=(0, 2)).data, np.prod(X, axis=(0, 2)))
    assert np.allclose(grad_of(prod, [2.0, 5.0, 3.0]), [15.0, 6.0, 10.0])
    assert np.array_equal(grad_of(prod, [2.0, 0.0, 3.0]), [0.0, 6.0, 0.0])  # one zero: the product of the others
    assert np.array_equal(grad_of(prod, [2.0, 0.0, 0.0, 3.0]), [0.0, 0.0, 0.0, 0.0])  # two zeros: all 0
    rows = grad_of(lambda x: prod(x, axis=1), [[1.0, 0.0, 4.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    assert np.array_equal(rows, [[0.0, 4.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]])


def test_prod_second_derivatives_at_zeros():
    # Π(a, b, c): d²/da db = c, d²/da dc = b, d²/db dc = a, and 0 on the diagonal
    assert np.array_equal(hessian(prod, [2.0, 0.0, 3.0]), [[0, 3, 0], [3, 0, 2], [0, 2, 0]])
    assert np.array_equal(hessian(prod, [0.0, 0.0, 3.0]), [[0, 3, 0], [3, 0, 0], [0, 0, 0]])


def test_cumsum_matches_numpy_and_its_gradient_counts_the_later_terms():
    assert np.allclose(cumsum(mg.tensor(X), 1).data, np.cumsum(X, 1))
    assert np.allclose(cumsum(mg.tensor(X)).data, np.cumsum(X))  # axis=None flattens, like NumPy
    assert cumsum(mg.tensor(3.0), 0).shape == ()
    assert np.array_equal(grad_of(lambda x: cumsum(x, 0), [1.0, 1.0, 1.0]), [3.0, 2.0, 1.0])
    assert np.array_equal(grad_of(lambda x: cumsum(x, axis=-1), [1.0, 2.0], weights=[1.0, 10.0]), [11.0, 10.0])


def test_cumprod_gradients_with_zeros_by_hand():
    assert np.allclose(cumprod(mg.tensor(X), -1).data, np.cumprod(X, -1))
    # out = [x0, x0 x1, x0 x1 x2]: at [2, 0, 3] the gradient of Σout is [1 + x1 + x1 x2, x0 + x0 x2, x0 x1]
    assert np.array_equal(grad_of(lambda x: cumprod(x, 0), [2.0, 0.0, 3.0]), [1.0, 8.0, 0.0])
    # two zeros: [3, 0, 2, 0] -> [1, 3 + 3·2, 0, 0]
    assert np.array_equal(grad_of(lambda x: cumprod(x, 0), [3.0, 0.0, 2.0, 0.0]), [1.0, 9.0, 0.0, 0.0])
    assert np.array_equal(grad_of(lambda x: cumprod(x, 0), [0.0, 0.0]), [1.0, 0.0])
    assert np.allclose(grad_of(lambda x: cumprod(x, 0), [2.0, 5.0, 3.0]), [1 + 5 + 15, 2 + 6, 10])


def test_cumprod_second_derivatives_at_zeros():
    # Σ cumprod([a, b, c]) = a + ab + abc: d²/da db = 1 + c, d²/da dc = b, d²/db dc = a
    assert np.array_equal(hessian(lambda x: cumprod(x, 0).sum(), [2.0, 0.0, 0.0]), [[0, 1, 0], [1, 0, 2], [0, 2, 0]])
    assert np.array_equal(hessian(lambda x: cumprod(x, 0).sum(), [0.0, 0.0, 5.0]), [[0, 6, 0], [6, 0, 0], [0, 0, 0]])


def test_norm_values_and_gradients():
    for axis in (None, 1, (0, 2), -1):
        for keepdims in (False, True):
            expected = np.sqrt((X**2).sum(axis=axis, keepdims=keepdims))
            assert np.allclose(norm(mg.tensor(X), axis=axis, keepdims=keepdims).data, expected)
            assert np.allclose(norm(mg.tensor(X), 1, axis, keepdims).data, np.abs(X).sum(axis, keepdims=keepdims))
            assert np.allclose(norm(mg.tensor(X), np.inf, axis, keepdims).data, np.abs(X).max(axis, keepdims=keepdims))
    assert np.allclose(grad_of(norm, [3.0, 4.0]), [0.6, 0.8])
    assert np.array_equal(grad_of(norm, [0.0, 0.0]), [0.0, 0.0])  # the subgradient at 0, like PyTorch
    assert np.array_equal(grad_of(lambda x: norm(x, 1), [1.0, -2.0, 0.0]), [1.0, -1.0, 0.0])
    assert np.array_equal(grad_of(lambda x: norm(x, float("inf")), [1.0, -3.0, 3.0]), [0.0, -0.5, 0.5])  # ties share
    assert norm(mg.tensor([3, 4])).dtype == np.float32 and norm(mg.tensor([3, 4])).item() == 5.0
    with pytest.raises(ValueError, match="ord=3"):
        norm(mg.tensor([1.0]), 3)


def test_all_and_any_are_bool_constants():
    m = np.array([[True, False, True], [True, True, True]])
    for axis in (None, 0, -1):
        assert np.array_equal(all(mg.tensor(m), axis=axis).data, np.all(m, axis=axis))
        assert np.array_equal(any(mg.tensor(m), axis=axis).data, np.any(m, axis=axis))
    x = mg.tensor([0.0, 2.0], requires_grad=True)
    result = any(x)
    assert result.dtype == bool and result.item() and not result.requires_grad
    assert all(x).item() is False and all(mg.tensor(m), dim=1, keepdim=True).shape == (2, 1)
    assert isinstance(all(m), np.ndarray)


@pytest.mark.parametrize("fn", [var, std, prod, norm, all, any])
def test_dim_and_keepdim_spellings(fn):
    x = mg.tensor(X)
    assert np.array_equal(fn(x, dim=1, keepdim=True).data, fn(x, axis=1, keepdims=True).data)
    with pytest.raises(TypeError, match="both"):
        fn(x, axis=1, dim=1)


@pytest.mark.parametrize("fn", [cumsum, cumprod])
def test_cumulative_dim_spelling(fn):
    assert np.array_equal(fn(mg.tensor(X), dim=-1).data, fn(mg.tensor(X), axis=-1).data)
    with pytest.raises(TypeError, match="both"):
        fn(mg.tensor(X), axis=0, dim=0)


@pytest.mark.parametrize("fn", [var, std, prod, norm, all, any, cumsum, cumprod])
def test_bad_axes_are_refused(fn):
    with pytest.raises(ValueError, match="out of range"):
        fn(mg.tensor(X), axis=3)
    with pytest.raises(TypeError, match="integer"):
        fn(mg.tensor(X), axis=1.0)


def test_zero_dimensional_inputs():
    x = mg.tensor(np.float64(3.0), requires_grad=True)
    assert var(x).item() == 0.0 and prod(x).item() == 3.0 and norm(x).item() == 3.0
    assert cumprod(x, 0).item() == 3.0 and cumsum(x, -1).item() == 3.0 and prod(x, axis=0).item() == 3.0
    for fn in (prod, norm, lambda t: cumprod(t, 0)):
        assert mg.gradcheck(fn, (x,)) and mg.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("axis", [0, 1])
def test_cumprod_gradient_with_zeros_is_the_same_with_and_without_create_graph(axis):
    # backward() takes the O(n) formula; create_graph=True the O(n²) one whose own derivatives are exact
    z = rng.standard_normal((6, 9))
    z[1, 4] = z[2, [0, 5]] = z[3, [2, 3, 8]] = z[4, 8] = z[5, 0] = 0.0  # rows with 0 to 3 zeros
    g = rng.standard_normal(z.shape)
    x = mg.tensor(z, requires_grad=True)
    (cumprod(x, axis) * g).sum().backward()
    (with_graph,) = mg.grad((cumprod(x, axis) * g).sum(), [x], create_graph=True)
    assert np.allclose(x.grad, with_graph.data)
    assert mg.gradcheck(lambda t: cumprod(t, axis), (x,)) and mg.gradgradcheck(lambda t: cumprod(t, axis), (x,))
