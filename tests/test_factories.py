"""minigrad/factories.py: linspace, randint, randn_like, rand_like, full_like, and float-only random factories."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.factories import full_like, linspace, rand, rand_like, randint, randn, randn_like


def test_linspace_matches_numpy_in_float32_by_default():
    result = linspace(0, 1, 5)
    assert result.dtype == np.float32 and result.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.array_equal(linspace(-2, 3, num=7, dtype=np.float64).data, np.linspace(-2, 3, 7))
    assert linspace(0, 1).shape == (50,) and linspace(0, 1, 0).shape == (0,)
    assert linspace(0, 1, 3, dtype=np.float64, requires_grad=True).requires_grad


def test_randint_draws_in_range_as_int64_and_repeats_with_the_seed():
    mg.manual_seed(3)
    first = randint(-2, 3, (4, 50))
    assert first.shape == (4, 50) and first.dtype == np.int64
    assert first.data.min() == -2 and first.data.max() == 2  # 200 draws from 5 values reach both ends
    mg.manual_seed(3)
    assert np.array_equal(randint(-2, 3, (4, 50)).data, first.data)
    assert randint(0, 10, 3).shape == (3,) and randint(0, 2, (2,), dtype=np.int32).dtype == np.int32
    with pytest.raises(ValueError, match=r"low=5, high=5"):
        randint(5, 5, (2,))
    with pytest.raises(TypeError, match="floating"):
        randint(0, 5, (2,), requires_grad=True)


def test_like_factories_take_shape_and_dtype_from_their_argument():
    t = mg.tensor(np.zeros((2, 3)))
    assert randn_like(t).shape == (2, 3) and randn_like(t).dtype == np.float64
    assert rand_like(np.zeros(4, dtype=np.float32)).dtype == np.float32
    values = rand_like(t).data
    assert ((0 <= values) & (values < 1)).all()
    assert randn_like(t, dtype=np.float32, requires_grad=True).requires_grad
    assert full_like(t, 7).tolist() == [[7.0] * 3] * 2 and full_like(t, 7).dtype == np.float64
    assert full_like(mg.tensor([1, 2]), 2.5).tolist() == [2, 2]  # t's dtype, like torch.full_like
    assert full_like(mg.tensor([1, 2]), 2.5, dtype=np.float32).tolist() == [2.5, 2.5]
    with pytest.raises(TypeError, match="randn_like makes floating-point values; dtype int64"):
        randn_like(mg.tensor([1, 2]))


@pytest.mark.parametrize("maker", [randn, rand, lambda *shape, dtype: linspace(0, 1, 3, dtype=dtype)])
@pytest.mark.parametrize("dtype", ["int64", np.int32, bool])
def test_float_factories_refuse_other_dtypes_instead_of_truncating(maker, dtype):
    with pytest.raises(TypeError, match="makes floating-point values"):
        maker(2, dtype=dtype)


def test_random_float_factories_still_take_float_dtypes():
    assert randn(2, dtype="float64").dtype == np.float64 and rand(3, dtype=np.float16).dtype == np.float16
    assert randn(2, 3).dtype == np.float32
