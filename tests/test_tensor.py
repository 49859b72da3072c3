"""The Tensor: construction, dtype rules, attributes, operators and factories."""

import numpy as np
import pytest

import minigrad as mg


def test_python_floats_become_float32_and_float64_arrays_stay():
    assert mg.tensor(1.5).dtype == np.float32
    assert mg.tensor([1.0, 2.0]).dtype == np.float32
    assert mg.tensor([1, 2.5]).dtype == np.float32
    assert mg.tensor(np.zeros(3)).dtype == np.float64
    assert mg.tensor(np.zeros(3, dtype=np.float16)).dtype == np.float16
    assert mg.Tensor([1, 2]).dtype == np.int64
    assert mg.tensor([True, False]).dtype == np.bool_
    assert mg.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert mg.tensor(mg.tensor([1.0])).dtype == np.float32


def test_requires_grad_on_a_non_float_tensor_raises():
    with pytest.raises(TypeError, match="floating"):
        mg.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="floating"):
        mg.tensor([True]).requires_grad_()


def test_a_new_tensor_owns_its_values():
    values = np.ones(3)
    t = mg.tensor(values)
    values[0] = 5.0
    assert t.data[0] == 1.0


def test_attributes():
    t = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.is_leaf and t.grad is None and t.requires_grad
    assert (t * 2).is_leaf is False
    assert np.asarray(t) is t.data and t.numpy() is t.data
    assert mg.tensor([[3.5]]).item() == 3.5
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    d = t.detach()
    assert d.data is t.data and not d.requires_grad and d.is_leaf
    assert t.astype(np.float32).dtype == np.float32
    r = repr(t)
    assert "dtype=float64" in r and "requires_grad=True" in r and "3." in r
    assert "grad_fn=<Mul>" in repr(t * 2)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        t.item()


@pytest.mark.parametrize("left", [np.ones(3), 2, 2.0])
def test_operators_with_arrays_and_scalars_on_either_side(left):
    t = mg.tensor([1.0, 2.0, 4.0])
    for result, expected in [
        (left + t, 1 * np.asarray(left) + t.data),
        (left - t, left - t.data),
        (left * t, left * t.data),
        (left / t, left / t.data),
        (left**t, left**t.data),
        (t**left, t.data**left),
        (t - left, t.data - left),
        (t / left, t.data / left),
    ]:
        assert isinstance(result, mg.Tensor)
        np.testing.assert_allclose(result.data, expected, rtol=1e-6)


def test_type_promotion_like_pytorch():
    f32, f64 = mg.tensor([1.0]), mg.tensor(np.ones(1))
    i64 = mg.tensor([1, 2])
    assert (f32 * 2.0).dtype == np.float32
    assert (2.0 * f32).dtype == np.float32
    assert (f32 * 2).dtype == np.float32
    assert (f32 + f64).dtype == np.float64
    assert (i64 * 2.5).dtype == np.float32
    assert (i64 * 2).dtype == np.int64
    assert (i64 + f32).dtype == np.float32  # NumPy would give float64
    assert (f32 + np.ones(1)).dtype == np.float64
    assert (f32 / 3).dtype == np.float32
    assert (i64 / 2).dtype == np.float32 and (i64 / 2).tolist() == [0.5, 1.0]
    assert i64.mean().dtype == np.float32 and i64.mean().item() == 1.5


def test_comparisons_are_bool_tensors_without_grad():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (x < 2, [True, False, False]),
        (x <= 2, [True, True, False]),
        (x > 2, [False, False, True]),
        (x >= 2, [False, True, True]),
        (x == 2, [False, True, False]),
        (x != 2, [True, False, True]),
    ]:
        assert isinstance(result, mg.Tensor) and result.dtype == np.bool_
        assert not result.requires_grad
        assert result.tolist() == expected
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]
    assert (~(x > 1)).tolist() == [True, False, False]


def test_forward_values_worked_by_hand():
    x = mg.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert x.sum().item() == 2.5
    assert x.mean(axis=0).tolist() == [2.0, -0.75]
    assert x.max(axis=1).tolist() == [1.0, 3.0]
    assert x.min().item() == -2.0
    assert x.relu().tolist() == [[1.0, 0.0], [3.0, 0.5]]
    assert x.abs().sum().item() == 6.5
    assert x.clip(0, 2).tolist() == [[1.0, 0.0], [2.0, 0.5]]
    assert (x @ x).tolist() == [[-5.0, -3.0], [4.5, -5.75]]
    assert x.T.tolist() == [[1.0, 3.0], [-2.0, 0.5]]
    np.testing.assert_allclose(mg.tensor([0.0, np.log(3.0)]).softmax().data, [0.25, 0.75], rtol=1e-6)
    np.testing.assert_allclose(mg.tensor([0.0, 0.0]).logsumexp().item(), np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(mg.tensor([0.0, 100.0]).log_softmax().data, [-100.0, 0.0], atol=1e-5)
    np.testing.assert_allclose(
        mg.sigmoid(mg.tensor([0.0, 2.0, -800.0])).data, [0.5, 1 / (1 + np.exp(-2)), 0.0], rtol=1e-6
    )
    assert mg.maximum(x, 0.75).tolist() == [[1.0, 0.75], [3.0, 0.75]]
    assert mg.where(x > 0, x, 10.0).tolist() == [[1.0, 10.0], [3.0, 0.5]]
    assert mg.stack([x, x]).shape == (2, 2, 2)
    assert mg.concatenate([x, x], axis=1).shape == (2, 4)
    assert x.reshape(4).tolist() == [1.0, -2.0, 3.0, 0.5]
    assert x.flatten().shape == (4,) and x.expand_dims(0).shape == (1, 2, 2)
    assert x.expand_dims(0).squeeze().shape == (2, 2)


def test_logsumexp_and_softmax_are_stable_for_huge_values():
    big = mg.tensor([1e4, 1e4 - 1.0, -1e4])
    assert np.isfinite(big.logsumexp().item())
    np.testing.assert_allclose(big.logsumexp().item(), 1e4 + np.log(1 + np.exp(-1.0)), rtol=1e-6)
    assert np.all(np.isfinite(big.softmax().data)) and np.all(np.isfinite(big.log_softmax().data))
    assert mg.tensor([-np.inf, -np.inf]).logsumexp().item() == -np.inf


def test_indexing_forward():
    x = mg.tensor(np.arange(12.0).reshape(3, 4))
    assert x[1].tolist() == [4.0, 5.0, 6.0, 7.0]
    assert x[:, -1].tolist() == [3.0, 7.0, 11.0]
    assert x[None, ..., 0].shape == (1, 3)
    assert x[np.array([2, 0])][:, 0].tolist() == [8.0, 0.0]
    assert x[x > 9].tolist() == [10.0, 11.0]
    assert x[[0, 0], [1, 2]].tolist() == [1.0, 2.0]


def test_factories():
    assert mg.zeros((2, 3)).shape == (2, 3) and mg.zeros(2, 3).dtype == np.float32
    assert mg.ones(4).data.sum() == 4
    assert mg.full((2,), 7).dtype == np.int64 and mg.full((2,), 0.5).tolist() == [0.5, 0.5]
    assert mg.zeros_like(mg.tensor(np.ones((2, 2)))).dtype == np.float64
    assert mg.ones_like(np.zeros(3, dtype=np.int64)).dtype == np.int64
    assert mg.arange(5).tolist() == [0, 1, 2, 3, 4] and mg.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert mg.eye(3).data.trace() == 3
    assert mg.randn(2, 3).shape == (2, 3) and mg.rand(4).dtype == np.float32
    assert mg.zeros(2, requires_grad=True).requires_grad
    assert mg.randn(3, dtype=np.float64).dtype == np.float64


def test_manual_seed_repeats_random_draws():
    mg.manual_seed(7)
    a, b = mg.randn(5).data, mg.rand(3).data
    mg.manual_seed(7)
    assert np.array_equal(a, mg.randn(5).data) and np.array_equal(b, mg.rand(3).data)
    assert not np.array_equal(a, mg.randn(5).data)


def test_setitem_on_a_tensor_that_requires_grad_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        x[0] = 3.0
    with mg.no_grad():
        x[0] = 3.0
    assert x.tolist() == [3.0, 2.0]
