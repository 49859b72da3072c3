"""TensorDataset and DataLoader: hand a model its data in (shuffled) mini-batches."""

import math

import numpy as np

from ..tensor import Tensor
from .seeding import generator_for


def _as_array(value):
    """The ndarray behind a Tensor, ndarray or (nested) list, without copying arrays.

    A list of Python floats becomes float32, the same default as ``mg.tensor``.
    """
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return array


class TensorDataset:
    """Rows of several equally long arrays, taken together: ``dataset[i]`` is a tuple.

    ``TensorDataset(X, y)`` pairs the i-th row of ``X`` with the i-th label in ``y``.
    Arrays may be Tensors, ndarrays or lists; they are kept as ndarrays, not copied.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(_as_array(array) for array in arrays)
        for position, array in enumerate(self.arrays):
            if array.ndim == 0:
                raise ValueError(
                    f"array {position} is a 0-d value; every array needs a first dimension to index samples by"
                )
        lengths = [len(array) for array in self.arrays]
        if len(set(lengths)) != 1:
            raise ValueError(f"all arrays must have the same first dimension, got lengths {lengths}")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(array[index] for array in self.arrays)

    def __repr__(self):
        shapes = ", ".join(str(array.shape) for array in self.arrays)
        return f"TensorDataset({shapes})"


class DataLoader:
    """Iterate over a dataset in batches; each batch is a tuple of Tensors.

    - ``batch_size``: samples per batch; the last batch may be smaller unless
      ``drop_last=True``, which skips it.
    - ``shuffle``: visit the samples in a new random order every epoch (every ``iter``).
    - ``seed``: with a seed the loader owns its generator, so its sequence of epochs is
      the same on every run; with ``None`` it draws from minigrad's global generator
      (see ``mg.manual_seed``).

    A ``TensorDataset`` is batched by indexing its arrays with an index array, with no
    Python loop over samples. Any other object with ``__len__`` and ``__getitem__``
    works too: its samples are fetched one by one and stacked, field by field.
    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"dataset must have __len__ and __getitem__ (for example a TensorDataset), got {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__} {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        # Created once, so epoch after epoch continues one reproducible stream.
        self._generator = None if seed is None else np.random.default_rng(seed)

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return math.ceil(n / self.batch_size)

    def __iter__(self):
        # The order is drawn here, when the epoch starts, not at the first batch.
        n = len(self.dataset)
        if self.shuffle:
            generator = self._generator if self._generator is not None else generator_for(None)
            order = generator.permutation(n)
        else:
            order = np.arange(n)
        return self._batches(order)

    def _batches(self, order):
        """Yield one tuple of Tensors per batch of indices in ``order``."""
        # len(self) batches: with drop_last the short final batch is never reached.
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start : start + self.batch_size]
            yield tuple(Tensor(array) for array in self._gather(indices))

    def _gather(self, indices):
        """The ndarrays of one batch: one per field of the dataset's samples."""
        if isinstance(self.dataset, TensorDataset):
            return [array[indices] for array in self.dataset.arrays]
        samples = [self.dataset[int(i)] for i in indices]
        if not isinstance(samples[0], tuple):
            return [np.stack([_as_array(sample) for sample in samples])]
        return [np.stack([_as_array(sample[field]) for sample in samples]) for field in range(len(samples[0]))]

    def __repr__(self):
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed})"
        )
