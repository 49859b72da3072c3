"""Embedding: lookup by integer indices of any shape, errors, gradients with repeats."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

rng = np.random.default_rng(3)


@pytest.mark.parametrize("index_shape", [(), (4,), (2, 3), (2, 1, 3)])
def test_embedding_picks_rows_for_indices_of_any_shape(index_shape):
    weight = rng.standard_normal((7, 3))
    indices = rng.integers(0, 7, index_shape)
    out = F.embedding(mg.tensor(indices), mg.tensor(weight))
    assert out.shape == index_shape + (3,)
    expected = np.array([weight[i] for i in indices.reshape(-1)]).reshape(index_shape + (3,))
    np.testing.assert_array_equal(out.data, expected)


def test_embedding_accepts_ndarrays_lists_and_every_integer_dtype():
    weight = mg.tensor(np.arange(12.0).reshape(4, 3))
    for indices in ([3, 0], np.array([3, 0], dtype=np.uint8), np.array([3, 0], dtype=np.int32)):
        np.testing.assert_array_equal(F.embedding(indices, weight).data, [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]])


def test_weight_gradient_accumulates_repeated_indices():
    weight = mg.tensor(rng.standard_normal((5, 2)), requires_grad=True)
    indices = np.array([[1, 3, 1], [1, 0, 3]])
    upstream = rng.standard_normal((2, 3, 2))
    F.embedding(indices, weight).backward(upstream)
    expected = np.zeros((5, 2))
    for position, row in np.ndenumerate(indices):
        expected[row] += upstream[position]
    np.testing.assert_allclose(weight.grad, expected, rtol=1e-12)
    assert not weight.grad[[2, 4]].any()


def test_embedding_gradients_first_and_second_order():
    weight = mg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    indices = np.array([[0, 2, 2], [3, 0, 2]])
    assert mg.gradcheck(lambda w: F.embedding(indices, w), (weight,))
    assert mg.gradgradcheck(lambda w: F.embedding(indices, w) ** 2, (weight,))


@pytest.mark.parametrize("bad", [5, 7, -1])
def test_out_of_range_index_names_it_and_the_table_size(bad):
    weight = mg.tensor(rng.standard_normal((5, 2)))
    with pytest.raises(IndexError, match=rf"index {bad} .* 5 rows"):
        F.embedding(np.array([[0, bad], [1, 2]]), weight)


def test_float_indices_are_a_type_error():
    with pytest.raises(TypeError, match="integers.*float"):
        F.embedding(mg.tensor([0.0, 1.0]), mg.tensor(np.zeros((3, 2))))
    with pytest.raises(TypeError, match="bool"):
        F.embedding(np.array([True, False]), mg.tensor(np.zeros((3, 2))))


def test_embedding_module_init_and_forward():
    mg.manual_seed(11)
    layer = nn.Embedding(1000, 8)
    mg.manual_seed(11)
    expected = mg.random.get_generator().standard_normal((1000, 8)).astype(np.float32)
    assert layer.weight.dtype == np.float32 and layer.weight.shape == (1000, 8)
    np.testing.assert_array_equal(layer.weight.data, expected)
    assert abs(layer.weight.data.mean()) < 0.05 and abs(layer.weight.data.std() - 1.0) < 0.05  # N(0, 1)
    assert repr(layer) == "Embedding(1000, 8)"
    out = layer(mg.tensor([[5, 999]]))
    np.testing.assert_array_equal(out.data, expected[[[5, 999]]])
    out.sum().backward()
    assert layer.weight.grad[5].tolist() == [1.0] * 8 and layer.weight.grad.sum() == 16.0
    with pytest.raises(ValueError, match="embedding_dim"):
        nn.Embedding(3, 0)
