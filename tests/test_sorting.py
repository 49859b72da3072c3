"""ops/sorting.py: sort, argsort and topk against NumPy, stable ties, gradients and errors."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.sorting import argsort, sort, topk

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 5))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sort_and_argsort_match_numpy(axis):
    values, indices = sort(mg.tensor(X), axis=axis)
    assert np.array_equal(values.data, np.sort(X, axis=axis))
    assert np.array_equal(indices.data, np.argsort(X, axis=axis, kind="stable"))
    assert indices.dtype == np.int64 and not indices.requires_grad
    down, _ = sort(mg.tensor(X), axis=axis, descending=True)
    assert np.array_equal(down.data, np.flip(np.sort(X, axis=axis), axis))
    assert np.array_equal(argsort(mg.tensor(X), axis).data, indices.data)


def test_ties_keep_their_order_in_both_directions():
    x = mg.tensor([3, 1, 2, 1, 3])
    values, indices = sort(x)
    assert values.tolist() == [1, 1, 2, 3, 3] and indices.tolist() == [1, 3, 2, 0, 4]
    values, indices = sort(x, descending=True)
    assert values.tolist() == [3, 3, 2, 1, 1] and indices.tolist() == [0, 4, 2, 1, 3]
    assert argsort(x, descending=True).tolist() == [0, 4, 2, 1, 3]
    values, indices = topk(mg.tensor([1.0, 3.0, 3.0, 2.0]), 2)
    assert values.tolist() == [3.0, 3.0] and indices.tolist() == [1, 2]


def test_nan_sorts_as_the_largest_value():
    x = mg.tensor([np.nan, 1.0, 2.0])
    assert sort(x)[1].tolist() == [1, 2, 0] and sort(x, descending=True)[1].tolist() == [0, 2, 1]


def test_sorted_values_send_their_gradient_home_with_ties():
    x = mg.tensor([1.0, 3.0, 1.0], requires_grad=True)
    values, indices = sort(x)
    assert indices.tolist() == [0, 2, 1]
    (values * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 3.0, 2.0]
    x.grad = None
    (topk(x, 2, largest=False)[0] * mg.tensor([10.0, 20.0])).sum().backward()
    assert x.grad.tolist() == [10.0, 0.0, 20.0]


def test_topk_matches_a_full_sort():
    values, indices = topk(mg.tensor(X), 3, axis=0)
    assert np.array_equal(values.data, np.flip(np.sort(X, axis=0), 0)[:3])
    assert np.array_equal(np.take_along_axis(X, indices.data, 0), values.data)
    smallest, _ = topk(mg.tensor(X), 2, largest=False)
    assert np.array_equal(smallest.data, np.sort(X, axis=-1)[:, :2])
    assert topk(mg.tensor(X), 0)[0].shape == (3, 0)


def test_topk_with_k_larger_than_the_axis_names_both():
    with pytest.raises(ValueError, match=r"k=6.*length 5"):
        topk(mg.tensor(X), 6)
    with pytest.raises(ValueError, match=r"k=-1"):
        topk(mg.tensor(X), -1)


@pytest.mark.parametrize("fn", [sort, argsort, lambda x, **kw: topk(x, 2, **kw)])
def test_axis_checks_and_dim_spelling(fn):
    x = mg.tensor(X)
    with pytest.raises(ValueError, match="out of range"):
        fn(x, axis=2)
    with pytest.raises(TypeError, match="integer"):
        fn(x, axis="0")
    with pytest.raises(TypeError, match="both"):
        fn(x, axis=0, dim=0)
    a, b = fn(x, dim=0), fn(x, axis=0)
    for left, right in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True):
        assert np.array_equal(left.data, right.data)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: sort(x)[0],
        lambda x: sort(x, axis=0, descending=True)[0],
        lambda x: topk(x, 2)[0],
        lambda x: topk(x, 2, dim=0, largest=False)[0],
    ],
)
def test_sorted_values_first_and_second_derivatives(fn):
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert mg.gradcheck(fn, (x,)) and mg.gradgradcheck(fn, (x,))


def test_zero_dimensional_and_ndarray_inputs():
    values, indices = sort(mg.tensor(2.0))
    assert values.item() == 2.0 and indices.item() == 0
    assert isinstance(argsort(np.array([2.0, 1.0])), np.ndarray)
