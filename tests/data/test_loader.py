"""TensorDataset and DataLoader: batching, shuffling, reproducibility, validation."""

import numpy as np
import pytest

from minigrad.data import DataLoader, TensorDataset
from minigrad.random import manual_seed
from minigrad.tensor import Tensor


def make_dataset(n=10):
    """Features whose first column is the sample's index, labels equal to the index."""
    X = np.stack([np.arange(n), np.arange(n) * 10], axis=1).astype(np.float32)
    y = np.arange(n, dtype=np.int64)
    return TensorDataset(X, y)


def epoch_order(loader):
    """The sample indices of one epoch, in the order the loader gave them."""
    return np.concatenate([labels.data for _, labels in loader])


# TensorDataset


def test_tensor_dataset_accepts_tensors_arrays_and_lists():
    dataset = TensorDataset(Tensor(np.ones((3, 2))), np.arange(3), [[1.0], [2.0], [3.0]])
    assert len(dataset) == 3
    x, index, value = dataset[1]
    np.testing.assert_array_equal(x, [1.0, 1.0])
    assert index == 1
    np.testing.assert_array_equal(value, [2.0])
    assert dataset.arrays[2].dtype == np.float32  # Python floats become float32


def test_tensor_dataset_keeps_arrays_without_copying():
    X = np.zeros((4, 2))
    assert TensorDataset(X).arrays[0] is X


def test_tensor_dataset_getitem_returns_a_tuple():
    dataset = make_dataset(5)
    item = dataset[2]
    assert isinstance(item, tuple) and len(item) == 2
    np.testing.assert_array_equal(item[0], [2.0, 20.0])
    assert item[1] == 2


def test_tensor_dataset_length_mismatch_names_the_lengths():
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))


def test_tensor_dataset_rejects_no_arrays_and_scalars():
    with pytest.raises(ValueError):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(np.float32(1.0))


# DataLoader: batch counts


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected_sizes",
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, False, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (10, 1, False, [1] * 10),
        (10, 20, False, [10]),
        (10, 20, True, []),
    ],
)
def test_batch_sizes_and_len(n, batch_size, drop_last, expected_sizes):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, drop_last=drop_last)
    sizes = [len(x) for x, _ in loader]
    assert sizes == expected_sizes
    assert len(loader) == len(expected_sizes)


def test_default_batch_size_is_one():
    loader = DataLoader(make_dataset(4))
    assert loader.batch_size == 1 and len(loader) == 4


def test_without_shuffle_batches_come_in_order():
    loader = DataLoader(make_dataset(7), batch_size=3)
    np.testing.assert_array_equal(epoch_order(loader), np.arange(7))
    first_x, first_y = next(iter(loader))
    np.testing.assert_array_equal(first_x.data, [[0, 0], [1, 10], [2, 20]])


def test_batches_are_tuples_of_tensors_without_grad():
    loader = DataLoader(make_dataset(6), batch_size=4)
    for batch in loader:
        assert isinstance(batch, tuple) and len(batch) == 2
        for tensor in batch:
            assert isinstance(tensor, Tensor)
            assert tensor.requires_grad is False
        x, y = batch
        assert x.data.dtype == np.float32
        assert y.data.dtype == np.int64


def test_batches_are_copies_not_views_of_the_dataset():
    dataset = make_dataset(4)
    x, _ = next(iter(DataLoader(dataset, batch_size=2)))
    x.data[...] = -1
    assert dataset.arrays[0].min() == 0


# DataLoader: shuffling


def test_shuffle_sees_every_sample_exactly_once_per_epoch():
    loader = DataLoader(make_dataset(23), batch_size=5, shuffle=True, seed=0)
    for _ in range(3):
        order = epoch_order(loader)
        np.testing.assert_array_equal(np.sort(order), np.arange(23))


def test_features_and_labels_stay_aligned_when_shuffled():
    loader = DataLoader(make_dataset(17), batch_size=4, shuffle=True, seed=1)
    for x, y in loader:
        np.testing.assert_array_equal(x.data[:, 0], y.data)
        np.testing.assert_array_equal(x.data[:, 1], y.data * 10)


def test_shuffle_changes_order_between_epochs():
    loader = DataLoader(make_dataset(50), batch_size=8, shuffle=True, seed=0)
    first, second = epoch_order(loader), epoch_order(loader)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(50))


def test_same_seed_gives_the_same_sequence_of_epochs():
    a = DataLoader(make_dataset(30), batch_size=7, shuffle=True, seed=123)
    b = DataLoader(make_dataset(30), batch_size=7, shuffle=True, seed=123)
    for _ in range(3):
        np.testing.assert_array_equal(epoch_order(a), epoch_order(b))


def test_different_seeds_give_different_orders():
    a = DataLoader(make_dataset(30), batch_size=7, shuffle=True, seed=1)
    b = DataLoader(make_dataset(30), batch_size=7, shuffle=True, seed=2)
    assert not np.array_equal(epoch_order(a), epoch_order(b))


def test_seeded_loader_ignores_the_global_generator():
    a = DataLoader(make_dataset(30), shuffle=True, seed=5)
    manual_seed(0)
    first = epoch_order(a)
    b = DataLoader(make_dataset(30), shuffle=True, seed=5)
    manual_seed(99)
    np.testing.assert_array_equal(first, epoch_order(b))


def test_manual_seed_makes_unseeded_shuffling_reproducible():
    loader = DataLoader(make_dataset(30), batch_size=4, shuffle=True)
    manual_seed(7)
    run_1 = [epoch_order(loader), epoch_order(loader)]
    manual_seed(7)
    run_2 = [epoch_order(loader), epoch_order(loader)]
    for a, b in zip(run_1, run_2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(run_1[0], run_1[1])


def test_shuffle_with_drop_last_drops_a_random_remainder():
    loader = DataLoader(make_dataset(10), batch_size=3, shuffle=True, drop_last=True, seed=0)
    seen = epoch_order(loader)
    assert len(seen) == 9 and len(set(seen.tolist())) == 9


def test_order_is_drawn_when_the_epoch_starts():
    loader = DataLoader(make_dataset(20), batch_size=5, shuffle=True, seed=3)
    first_epoch, second_epoch = iter(loader), iter(loader)
    a = np.concatenate([y.data for _, y in first_epoch])
    b = np.concatenate([y.data for _, y in second_epoch])
    reference = DataLoader(make_dataset(20), batch_size=5, shuffle=True, seed=3)
    np.testing.assert_array_equal(a, epoch_order(reference))
    np.testing.assert_array_equal(b, epoch_order(reference))


# DataLoader: generic datasets


class SquaresDataset:
    """A dataset that is not a TensorDataset: sample i is (i as a vector, i squared)."""

    def __len__(self):
        return 6

    def __getitem__(self, index):
        return np.array([index, index], dtype=np.float32), index * index


class ImagesOnly:
    """A dataset whose samples are single arrays, not tuples."""

    def __len__(self):
        return 5

    def __getitem__(self, index):
        return np.full((2, 2), index, dtype=np.float32)


def test_generic_dataset_samples_are_stacked_field_by_field():
    x, y = next(iter(DataLoader(SquaresDataset(), batch_size=4)))
    np.testing.assert_array_equal(x.data, [[0, 0], [1, 1], [2, 2], [3, 3]])
    np.testing.assert_array_equal(y.data, [0, 1, 4, 9])
    assert x.data.dtype == np.float32


def test_generic_dataset_shuffled_keeps_pairs_together():
    loader = DataLoader(SquaresDataset(), batch_size=4, shuffle=True, seed=0)
    seen = []
    for x, y in loader:
        np.testing.assert_array_equal(x.data[:, 0] ** 2, y.data)
        seen.extend(x.data[:, 0].tolist())
    assert sorted(seen) == list(range(6))


def test_generic_dataset_of_single_arrays_yields_one_tensor_tuples():
    batches = list(DataLoader(ImagesOnly(), batch_size=2))
    assert len(batches) == 3
    (images,) = batches[0]
    assert images.shape == (2, 2, 2)


# DataLoader: validation


@pytest.mark.parametrize("bad", [0, -1])
def test_batch_size_must_be_positive(bad):
    with pytest.raises(ValueError, match=str(bad)):
        DataLoader(make_dataset(), batch_size=bad)


@pytest.mark.parametrize("bad", [2.5, "4", None, True])
def test_batch_size_must_be_an_int(bad):
    with pytest.raises(TypeError, match="batch_size"):
        DataLoader(make_dataset(), batch_size=bad)


def test_dataset_must_support_len_and_getitem():
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(object())


def test_empty_dataset_gives_no_batches():
    loader = DataLoader(TensorDataset(np.zeros((0, 3))), batch_size=4, shuffle=True, seed=0)
    assert len(loader) == 0 and list(loader) == []
