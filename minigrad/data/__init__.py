"""minigrad.data: datasets and mini-batch loading.

- ``TensorDataset``, ``DataLoader``: batches of Tensors, shuffled each epoch on request.
- ``make_moons``, ``make_spirals``, ``make_blobs``: small synthetic classification sets.
- ``train_test_split``: shuffle rows and split them into a train and a test part.
- ``load_digits``: the 8x8 handwritten digits that ship with minigrad.
- ``load_mnist``: MNIST from its IDX files, downloaded and checksum-verified on request.
- ``load_names``: the 32,033 first names that ship with minigrad (for character-level models).
- ``read_idx``, ``write_idx``: read and write IDX files (MNIST's format), plain or gzipped.
"""

from .digits import load_digits
from .download import DownloadError
from .loader import DataLoader, TensorDataset
from .mnist import load_mnist, read_idx, write_idx
from .names import load_names
from .split import train_test_split
from .synthetic import make_blobs, make_moons, make_spirals

__all__ = [
    "DataLoader",
    "DownloadError",
    "TensorDataset",
    "load_digits",
    "load_mnist",
    "load_names",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "read_idx",
    "train_test_split",
    "write_idx",
]
