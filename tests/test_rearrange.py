"""ops/rearrange.py: pad, flip, roll, take_along_axis, repeat, tile, tril, triu, split, masked_fill."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.rearrange import (
    flip,
    masked_fill,
    pad,
    repeat,
    roll,
    split,
    take_along_axis,
    tile,
    tril,
    triu,
)

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4))


def grad_of(fn, values, weights=None):
    """d Σ(weights · fn(x)) / dx at ``values`` (float64)."""
    x = mg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    out = fn(x)
    (out * (1.0 if weights is None else np.asarray(weights))).sum().backward()
    return x.grad


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("width", [1, (2, 1), ((1, 0), (0, 3)), [[2, 2]], 5])
def test_pad_matches_numpy(mode, width):
    assert np.array_equal(pad(mg.tensor(X), width, mode=mode).data, np.pad(X, width, mode=mode))


def test_pad_constant_value_and_gradients_of_the_copies():
    assert pad(mg.tensor([1.0, 2.0]), 1, constant_values=9.0).tolist() == [9.0, 1.0, 2.0, 9.0]
    assert grad_of(lambda x: pad(x, 2), [1.0, 2.0]).tolist() == [1.0, 1.0]
    # reflect (2, 0): [3, 2, 1, 2, 3] is x[2], x[1], x[0], x[1], x[2]
    assert grad_of(lambda x: pad(x, (2, 0), mode="reflect"), [1.0, 2.0, 3.0]).tolist() == [1.0, 2.0, 2.0]
    # edge 2: [1, 1, 1, 2, 3, 3, 3]
    assert grad_of(lambda x: pad(x, 2, mode="edge"), [1.0, 2.0, 3.0]).tolist() == [3.0, 1.0, 3.0]


def test_pad_errors_name_the_pad_width_and_ndim():
    with pytest.raises(ValueError, match=r"pad_width \(\(1, 1\), \(1, 1\), \(1, 1\)\).* 2 dimensions"):
        pad(mg.tensor(X), ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match=r"pad_width \(1, 2, 3\)"):
        pad(mg.tensor(X), (1, 2, 3))
    with pytest.raises(ValueError, match="negative"):
        pad(mg.tensor(X), -1)
    with pytest.raises(ValueError, match="integers"):
        pad(mg.tensor(X), 1.5)
    with pytest.raises(ValueError, match="'wrap'"):
        pad(mg.tensor(X), 1, mode="wrap")


def test_flip_and_roll_match_numpy():
    for axis in (None, 0, -1, (0, 1)):
        assert np.array_equal(flip(mg.tensor(X), axis).data, np.flip(X, axis))
    assert np.array_equal(flip(mg.tensor(X), dim=1).data, np.flip(X, 1))
    for shift, axis in ((1, None), (-2, 1), ((1, 2), (0, -1)), (5, 0)):
        assert np.array_equal(roll(mg.tensor(X), shift, axis).data, np.roll(X, shift, axis))
    assert grad_of(lambda x: roll(x, 1), [1.0, 2.0, 3.0], weights=[1.0, 2.0, 3.0]).tolist() == [2.0, 3.0, 1.0]
    assert grad_of(flip, [1.0, 2.0, 3.0], weights=[1.0, 2.0, 3.0]).tolist() == [3.0, 2.0, 1.0]


def test_take_along_axis_is_numpys_and_repeated_picks_add_up():
    index = np.array([[0, 0, 3], [1, 1, 1], [2, 3, 3]])
    assert np.array_equal(take_along_axis(mg.tensor(X), index, 1).data, np.take_along_axis(X, index, 1))
    rows = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    assert np.array_equal(take_along_axis(mg.tensor(X), rows, axis=0).data, np.take_along_axis(X, rows, 0))
    assert np.array_equal(take_along_axis(mg.tensor(X), mg.tensor([5, 0]), None).data, X.ravel()[[5, 0]])
    assert grad_of(lambda x: take_along_axis(x, np.array([0, 0, 2]), 0), [10.0, 20.0, 30.0]).tolist() == [2.0, 0.0, 1.0]
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 4\)"):
        take_along_axis(mg.tensor(X), np.array([0, 1, 2]), 1)
    with pytest.raises(TypeError, match="integers"):
        take_along_axis(mg.tensor(X), np.zeros((3, 1)), 1)


def test_repeat_and_tile_match_numpy_and_sum_the_copies():
    for repeats, axis in ((2, None), (2, 0), (3, -1), ([1, 0, 2], 0), ([2, 1, 1, 0], 1)):
        assert np.array_equal(repeat(mg.tensor(X), repeats, axis).data, np.repeat(X, repeats, axis))
    assert grad_of(lambda x: repeat(x, [2, 3]), [1.0, 2.0]).tolist() == [2.0, 3.0]
    assert grad_of(lambda x: repeat(x, 2, dim=0), [1.0, 2.0], weights=[1, 2, 3, 4]).tolist() == [3.0, 7.0]
    for reps in (2, (2, 1), (1, 2, 3), (0, 2)):
        assert np.array_equal(tile(mg.tensor(X), reps).data, np.tile(X, reps))
    assert grad_of(lambda x: tile(x, (3, 2)), [1.0, 2.0]).tolist() == [6.0, 6.0]
    with pytest.raises(ValueError, match=r"2 repeats for axis 0 of length 3"):
        repeat(mg.tensor(X), [1, 2], axis=0)
    with pytest.raises(ValueError, match="non-negative"):
        repeat(mg.tensor(X), -1)


def test_tril_and_triu_are_batched_and_mask_the_gradient():
    batch = rng.standard_normal((2, 3, 4))
    for k in (-1, 0, 2):
        assert np.array_equal(tril(mg.tensor(batch), k).data, np.tril(batch, k))
        assert np.array_equal(triu(mg.tensor(batch), k=k).data, np.triu(batch, k))
    assert grad_of(tril, np.ones((2, 2))).tolist() == [[1.0, 0.0], [1.0, 1.0]]
    assert tril(mg.tensor([[True, True], [True, True]])).dtype == bool
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(3,\)"):
        triu(mg.tensor([1.0, 2.0, 3.0]))


def test_split_is_numpys():
    for cut in (2, [1, 3], [3, 10]):
        pieces = split(mg.tensor(X), cut, axis=1)
        expected = np.split(X, cut, axis=1)
        assert len(pieces) == len(expected)
        assert all(np.array_equal(p.data, e) for p, e in zip(pieces, expected, strict=True))
    assert [p.shape for p in split(mg.tensor(X), 3)] == [(1, 4)] * 3
    x = mg.tensor(X, requires_grad=True)
    first, second = split(x, [1], dim=0)
    (second * 2.0).sum().backward()
    assert np.array_equal(x.grad, [[0.0] * 4, [2.0] * 4, [2.0] * 4])
    with pytest.raises(ValueError, match=r"length 4 cannot be cut into 3"):
        split(mg.tensor(X), 3, axis=1)


def test_masked_fill_values_and_zero_gradient_where_filled():
    mask = np.array([True, False, True])
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = masked_fill(x, mask, -5.0)
    assert out.tolist() == [-5.0, 2.0, -5.0] and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert masked_fill(mg.tensor([[1, 2], [3, 4]]), mg.tensor([False, True]), 0).tolist() == [[1, 0], [3, 0]]
    assert masked_fill(mg.tensor([1, 2]), mask[:2], 7.9).dtype == np.int64  # the fill takes x's dtype, like PyTorch
    with pytest.raises(TypeError, match="bool"):
        masked_fill(x, np.array([1, 0, 1]), 0.0)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        masked_fill(x, np.array([True, False]), 0.0)


@pytest.mark.parametrize("fn", [flip, roll, split, take_along_axis, repeat])
def test_bad_axes_are_refused(fn):
    args = {flip: (), roll: (1,), split: (1,), take_along_axis: (np.zeros((3, 4), dtype=int),), repeat: (2,)}[fn]
    with pytest.raises(ValueError, match="out of range"):
        fn(mg.tensor(X), *args, axis=2)
    with pytest.raises(TypeError, match="both"):
        fn(mg.tensor(X), *args, axis=0, dim=0)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: pad(x, ((1, 2), (3, 0)), mode="reflect"),
        lambda x: pad(x, 2, mode="edge"),
        lambda x: flip(x, -1),
        lambda x: take_along_axis(x, np.array([[0, 0, 3], [1, 1, 1], [2, 3, 3]]), -1),
        lambda x: repeat(x, [2, 0, 1], axis=0),
        lambda x: repeat(x, 2),
        lambda x: tile(x, (2, 1, 2)),
        lambda x: triu(x, 1),
        lambda x: split(x, [1], axis=-1),
        lambda x: masked_fill(x, np.array([True, False, False, True]), 2.0),
    ],
)
def test_first_and_second_derivatives(fn):
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert mg.gradcheck(fn, (x,)) and mg.gradgradcheck(fn, (x,))


def test_zero_dimensional_inputs():
    x = mg.tensor(2.0)
    assert pad(x, 1).shape == () and flip(x).item() == 2.0 and roll(x, 3).item() == 2.0
    assert repeat(x, 3).tolist() == [2.0, 2.0, 2.0] and tile(x, 2).tolist() == [2.0, 2.0]
