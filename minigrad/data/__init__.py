"""minigrad.data: datasets and mini-batch loading.

- ``TensorDataset``, ``DataLoader``: batches of Tensors, shuffled each epoch on request.
- ``make_moons``, ``make_spirals``, ``make_blobs``: small synthetic classification sets.
- ``train_test_split``: shuffle rows and split them into a train and a test part.
- ``load_digits``: the 8x8 handwritten digits that ship with minigrad.
- ``load_mnist``: MNIST from its IDX files, downloaded and checksum-verified on request.
"""

from .digits import load_digits
from .download import DownloadError
from .loader import DataLoader, TensorDataset
from .mnist import load_mnist, read_idx
from .split import train_test_split
from .synthetic import make_blobs, make_moons, make_spirals

__all__ = [
    "DataLoader",
    "DownloadError",
    "TensorDataset",
    "load_digits",
    "load_mnist",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "read_idx",
    "train_test_split",
]
