"""minigrad/ops/maths.py: values against NumPy and math, dtypes, erf's accuracy, rounding, remainders.

Gradients of every differentiable op are checked first and second order in the op table
(tests/op_cases/maths.py); here are the values, the dtype rules and the hand-written
gradients that finite differences cannot check (at jumps, of zero-gradient ops).
"""

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops import maths

rng = np.random.default_rng(7)

# op, its NumPy twin, the inputs' domain (lo, hi)
UNARY = [
    (maths.sin, np.sin, (-4, 4)),
    (maths.cos, np.cos, (-4, 4)),
    (maths.tan, np.tan, (-1.4, 1.4)),
    (maths.arcsin, np.arcsin, (-1, 1)),
    (maths.arccos, np.arccos, (-1, 1)),
    (maths.arctan, np.arctan, (-5, 5)),
    (maths.sinh, np.sinh, (-4, 4)),
    (maths.cosh, np.cosh, (-4, 4)),
    (maths.arcsinh, np.arcsinh, (-5, 5)),
    (maths.arccosh, np.arccosh, (1, 5)),
    (maths.arctanh, np.arctanh, (-0.99, 0.99)),
    (maths.log2, np.log2, (0.01, 10)),
    (maths.log10, np.log10, (0.01, 10)),
    (maths.log1p, np.log1p, (-0.99, 10)),
    (maths.expm1, np.expm1, (-5, 5)),
    (maths.exp2, np.exp2, (-5, 5)),
    (maths.square, np.square, (-5, 5)),
    (maths.reciprocal, np.reciprocal, (0.1, 5)),
    (maths.floor, np.floor, (-5, 5)),
    (maths.ceil, np.ceil, (-5, 5)),
    (maths.round, np.round, (-5, 5)),
    (maths.trunc, np.trunc, (-5, 5)),
]
IDS = [op.__name__ for op, _, _ in UNARY]


@pytest.mark.parametrize("op,reference,domain", UNARY, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unary_values_match_numpy_and_keep_the_float_dtype(op, reference, domain, dtype):
    values = rng.uniform(*domain, (4, 5)).astype(dtype)
    out = op(mg.tensor(values, requires_grad=True))
    assert out.dtype == dtype and out.requires_grad
    np.testing.assert_array_equal(out.data, reference(values))
    # On plain arrays an op is plain NumPy (that is what backward rules run on).
    result = op(values)
    assert type(result) is np.ndarray
    np.testing.assert_array_equal(result, reference(values))


def test_tiny_arguments_keep_their_precision():
    tiny = np.array([1e-20, -3e-17])
    np.testing.assert_array_equal(maths.log1p(mg.tensor(tiny)).data, tiny)  # log(1 + x) ≈ x
    np.testing.assert_array_equal(maths.expm1(mg.tensor(tiny)).data, tiny)  # e^x - 1 ≈ x


FLOAT_MATHS = [op for op, _, _ in UNARY if op not in (maths.square, maths.floor, maths.ceil, maths.round, maths.trunc)]
FLOAT_MATHS.append(maths.erf)


@pytest.mark.parametrize("op", FLOAT_MATHS, ids=[op.__name__ for op in FLOAT_MATHS])
def test_unary_maths_on_integers_and_bools_gives_float32_without_grad(op):
    numpy_fn = {maths.erf: np.vectorize(math.erf)}.get(op, getattr(np, op.__name__, None))
    for values in (np.array([1, 2, 3]), np.array([True, False])):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # log10(0), arccosh(0), 1/0 ...: nan and inf like NumPy
            out = op(mg.tensor(values))
            expected = numpy_fn(values.astype(np.float64)).astype(np.float32)
        assert out.dtype == np.float32
        assert not out.requires_grad
        np.testing.assert_allclose(out.data, expected, rtol=1e-6)


def test_square_keeps_integers_and_makes_bools_int64_like_pytorch():
    out = maths.square(mg.tensor([3, -4]))
    assert out.dtype == np.int64 and out.tolist() == [9, 16]
    out = maths.square(mg.tensor([True, False]))
    assert out.dtype == np.int64 and out.tolist() == [1, 0]
    assert maths.square(mg.tensor(np.array([1.5], dtype=np.float32))).dtype == np.float32


@pytest.mark.parametrize("op", [maths.floor, maths.ceil, maths.round, maths.trunc])
def test_rounding_integers_is_the_identity_and_bools_are_refused_like_pytorch(op):
    values = mg.tensor(np.array([-3, 0, 7], dtype=np.int32))
    out = op(values)
    assert out.dtype == np.int32 and out.tolist() == [-3, 0, 7]
    assert out.data is not values.data  # a new array, not the input's
    with pytest.raises(TypeError, match=f"{op.__name__} is not defined for bool"):
        op(mg.tensor([True]))


def test_rounding_values_at_halves_and_negative_numbers():
    x = mg.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.7])
    assert maths.floor(x).tolist() == [-3, -2, -1, 0, 1, 2, -2, 1]
    assert maths.ceil(x).tolist() == [-2, -1, -0.0, 1, 2, 3, -1, 2]
    assert maths.trunc(x).tolist() == [-2, -1, -0.0, 0, 1, 2, -1, 1]
    assert maths.round(x).tolist() == [-2, -2, -0.0, 0, 2, 2, -2, 2]  # halves to even, like NumPy and PyTorch
    np.testing.assert_allclose(maths.round(mg.tensor(np.array([1.234, -5.678])), decimals=2).data, [1.23, -5.68])
    assert maths.round(mg.tensor(np.array([1234.0, 1250.0])), decimals=-2).tolist() == [1200.0, 1200.0]


@pytest.mark.parametrize("op", [maths.floor, maths.ceil, maths.round, maths.trunc])
def test_rounding_has_gradient_zero_even_at_the_jumps_like_pytorch(op):
    x = mg.tensor(np.array([-1.0, -0.5, 0.0, 0.5, 1.3, 2.0]), requires_grad=True)
    (op(x) * np.arange(1.0, 7.0)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(6))
    # an infinite upstream gradient still gives 0, not nan (g * 0 would)
    y = mg.tensor(np.array([1.3, 2.7]), requires_grad=True)
    (op(y) * np.array([np.inf, np.inf])).sum().backward()
    np.testing.assert_array_equal(y.grad, np.zeros(2))


def test_isnan_isinf_isfinite_give_bool_tensors_without_grad():
    x = mg.tensor(np.array([1.0, np.nan, np.inf, -np.inf, 0.0]), requires_grad=True)
    for op, expected in (
        (maths.isnan, [False, True, False, False, False]),
        (maths.isinf, [False, False, True, True, False]),
        (maths.isfinite, [True, False, False, False, True]),
    ):
        out = op(x)
        assert isinstance(out, mg.Tensor) and out.dtype == np.bool_ and not out.requires_grad
        assert out.tolist() == expected
    assert maths.isfinite(mg.tensor([1, 2])).tolist() == [True, True]
    assert maths.isnan(mg.tensor([True])).tolist() == [False]


# --- erf ------------------------------------------------------------------------------------


def test_erf_matches_math_erf_to_1e_13_on_a_wide_grid():
    grid = np.concatenate([np.linspace(-10.0, 10.0, 200_001), rng.uniform(-6.5, 6.5, 20_000)])
    extremes = np.array([1e-300, -1e-300, 5e-324, 1e-17, 1e-8, 0.125, 0.0625 + 1e-12, 5.999999, 6.0, 6.0000001, 30.0])
    x = np.concatenate([grid, extremes, -extremes])
    expected = np.array([math.erf(v) for v in x.tolist()])
    got = maths.erf(mg.tensor(x)).data
    error = np.max(np.abs(got - expected))
    assert error <= 1e-13, f"max abs error {error:.3g}"
    # the measured error is one unit in the last place (1.1e-16); keep it there
    assert error <= 5e-16, f"max abs error {error:.3g}"


def test_erf_keeps_relative_precision_for_tiny_values_and_is_odd():
    tiny = np.array([1e-300, 1e-200, 1e-30, 1e-10, 1e-5, 5e-324])
    expected = np.array([math.erf(v) for v in tiny.tolist()])
    got = maths.erf(mg.tensor(tiny)).data
    np.testing.assert_allclose(got, expected, rtol=4e-16, atol=0)
    np.testing.assert_array_equal(maths.erf(mg.tensor(-tiny)).data, -got)
    zero = maths.erf(mg.tensor(np.array([0.0, -0.0]))).data
    assert zero.tolist() == [0.0, 0.0] and np.signbit(zero).tolist() == [False, True]


def test_erf_at_infinities_and_nan():
    out = maths.erf(mg.tensor(np.array([np.inf, -np.inf, np.nan, 1e308, -1e308]))).data
    assert out[0] == 1.0 and out[1] == -1.0 and np.isnan(out[2]) and out[3] == 1.0 and out[4] == -1.0


def test_erf_at_known_values():
    # erf(0.5), erf(1), erf(2) from Abramowitz & Stegun's table 7.1 (more digits from the series)
    out = maths.erf(mg.tensor(np.array([0.5, 1.0, 2.0]))).data
    np.testing.assert_allclose(out, [0.5204998778130465, 0.8427007929497149, 0.9953222650189527], rtol=2e-16)


def test_erf_of_float32_is_computed_in_float64_and_cast_back():
    x = rng.uniform(-4, 4, 1000).astype(np.float32)
    out = maths.erf(mg.tensor(x))
    assert out.dtype == np.float32
    expected = np.array([math.erf(v) for v in x.astype(np.float64).tolist()]).astype(np.float32)
    np.testing.assert_array_equal(out.data, expected)


def test_erf_gradient_is_two_over_sqrt_pi_exp_minus_x_squared():
    x = mg.tensor(np.array([-3.0, -0.7, 0.0, 0.4, 2.2]), requires_grad=True)
    maths.erf(x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 / np.sqrt(np.pi) * np.exp(-(x.data**2)), rtol=1e-15)


# --- logaddexp --------------------------------------------------------------------------------


def test_logaddexp_values_broadcasting_and_stability():
    a, b = rng.normal(size=(3, 1)), rng.normal(size=(4,))
    out = maths.logaddexp(mg.tensor(a), mg.tensor(b))
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out.data, np.log(np.exp(a) + np.exp(b)), rtol=1e-14)
    big = maths.logaddexp(mg.tensor(np.array([1000.0, -1000.0, -np.inf])), mg.tensor(np.array([1000.0, -1000.0, 0.0])))
    np.testing.assert_allclose(big.data, [1000 + math.log(2), -1000 + math.log(2), 0.0], rtol=1e-15)
    assert maths.logaddexp(mg.tensor([1, 2]), mg.tensor([1, 2])).dtype == np.float32  # like unary maths on ints
    x32 = mg.tensor(np.array([1.0], dtype=np.float32))
    assert maths.logaddexp(x32, 2.0).dtype == np.float32


def test_logaddexp_gradient_is_the_softmax_weights_even_for_huge_inputs():
    a = mg.tensor(np.array([0.3, 1000.0, -1000.0]), requires_grad=True)
    b = mg.tensor(np.array([-1.2, 999.0, -1001.0]), requires_grad=True)
    maths.logaddexp(a, b).sum().backward()
    d = a.data - b.data
    np.testing.assert_allclose(a.grad, np.exp(d) / (np.exp(d) + 1), rtol=1e-14)
    np.testing.assert_allclose(b.grad, 1 / (np.exp(d) + 1), rtol=1e-14)
    np.testing.assert_allclose(a.grad + b.grad, 1.0, rtol=1e-15)


# --- remainder, fmod, floor_divide -----------------------------------------------------------


def test_remainder_takes_the_sign_of_the_divisor_and_fmod_of_the_dividend():
    a = mg.tensor(np.array([7.5, -7.5, 7.5, -7.5]))
    b = mg.tensor(np.array([2.0, 2.0, -2.0, -2.0]))
    assert maths.remainder(a, b).tolist() == [1.5, 0.5, -0.5, -1.5]  # Python's %: 7.5 % -2 == -0.5
    assert maths.fmod(a, b).tolist() == [1.5, -1.5, 1.5, -1.5]  # C's fmod
    ints = mg.tensor([7, -7, 7, -7]), mg.tensor([3, 3, -3, -3])
    assert maths.remainder(*ints).tolist() == [7 % 3, -7 % 3, 7 % -3, -7 % -3]
    assert maths.fmod(*ints).tolist() == [1, -1, 1, -1]
    assert maths.remainder(*ints).dtype == np.int64 and maths.fmod(*ints).dtype == np.int64
    x = rng.normal(size=(3, 4)) * 5
    y = rng.choice([-3.0, -0.7, 0.7, 2.5], size=(4,))
    np.testing.assert_array_equal(maths.remainder(mg.tensor(x), mg.tensor(y)).data, np.remainder(x, y))
    np.testing.assert_array_equal(maths.fmod(mg.tensor(x), mg.tensor(y)).data, np.fmod(x, y))
    assert maths.remainder(mg.tensor(np.array([5.0], dtype=np.float32)), 3).dtype == np.float32


def test_remainder_and_fmod_gradients_like_pytorch():
    a = mg.tensor(np.array([5.5, -5.5, 5.5, -5.5]), requires_grad=True)
    b = mg.tensor(np.array([2.0, 2.0, -2.0, -2.0]), requires_grad=True)
    maths.remainder(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [1, 1, 1, 1])
    np.testing.assert_array_equal(b.grad, [-2, 3, 3, -2])  # -floor(a/b), PyTorch's values
    a.grad = b.grad = None
    maths.fmod(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [1, 1, 1, 1])
    np.testing.assert_array_equal(b.grad, [-2, 2, 2, -2])  # -trunc(a/b)


def test_integer_division_by_zero_raises_and_float_division_gives_nan_or_inf():
    for op in (maths.remainder, maths.fmod, maths.floor_divide):
        with pytest.raises(ZeroDivisionError, match=f"{op.__name__}: integer division by zero"):
            op(mg.tensor([4, 5]), mg.tensor([1, 0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(maths.remainder(mg.tensor([4.0]), 0.0).item())
        assert np.isnan(maths.fmod(mg.tensor([4.0]), 0.0).item())
        assert maths.floor_divide(mg.tensor([4.0]), 0.0).item() == np.inf


def test_floor_divide_like_python_and_pytorch():
    out = maths.floor_divide(mg.tensor([7, -7, 7, -7]), mg.tensor([2, 2, -2, -2]))
    assert out.dtype == np.int64 and out.tolist() == [3, -4, -4, 3]
    x = mg.tensor(np.array([7.5, -7.5]), requires_grad=True)
    out = maths.floor_divide(x, 2.0)
    assert out.dtype == np.float64 and out.tolist() == [3.0, -4.0]
    assert not out.requires_grad  # no gradient, as in PyTorch (whose backward raises for it)
    assert maths.floor_divide(mg.tensor([7]), 2.0).dtype == np.float32  # an int tensor with a Python float
    assert maths.floor_divide(mg.tensor(np.array([7.0], dtype=np.float32)), 2).dtype == np.float32


def test_second_derivatives_by_hand():
    x = mg.tensor(np.array([0.3, -1.1, 2.0]), requires_grad=True)
    for op, second in (
        (maths.sin, lambda v: -np.sin(v)),
        (maths.cos, lambda v: -np.cos(v)),
        (maths.tan, lambda v: 2 * np.tan(v) / np.cos(v) ** 2),
        (maths.erf, lambda v: -4 * v / np.sqrt(np.pi) * np.exp(-(v**2))),
        (maths.square, lambda v: 2 * np.ones_like(v)),
    ):
        (first,) = mg.grad(op(x).sum(), x, create_graph=True)
        (hessian_diagonal,) = mg.grad(first.sum(), x)
        np.testing.assert_allclose(hessian_diagonal.data, second(x.data), rtol=1e-12, err_msg=op.__name__)
