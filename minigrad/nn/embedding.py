"""Embedding: a table of learnable vectors looked up by integer index."""

import numbers

import numpy as np

from .. import ops
from ..random import get_generator
from ..tensor import to_array
from .module import Module
from .parameter import Parameter


def embedding(indices, weight):
    """The rows of ``weight`` (num_embeddings, embedding_dim) picked by integer ``indices``
    of any shape: a result of shape ``indices.shape + (embedding_dim,)``.

    The gradient of ``weight`` adds up over repeated indices (a row used twice gets
    both gradients). An index outside [0, num_embeddings), negative ones included
    (like PyTorch), raises IndexError naming it and the table size.
    """
    index = to_array(indices)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding indices must be integers, got dtype {index.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    size = weight.shape[0]
    outside = (index < 0) | (index >= size)
    if outside.any():
        raise IndexError(
            f"embedding index {index[outside].flat[0]} is out of range for a table of {size} rows "
            f"(valid indices are 0 to {size - 1})"
        )
    return ops.getitem(weight, index)  # its backward scatter-adds, so repeats accumulate


class Embedding(Module):
    """A lookup table of ``num_embeddings`` learnable vectors of size ``embedding_dim``.

    ``weight`` has shape (num_embeddings, embedding_dim), initialised N(0, 1) from
    minigrad's global generator in float32, like PyTorch's. Called on integer indices of
    any shape it returns their rows (see ``embedding``).
    """

    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding {name} must be a positive int, got {value!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        values = get_generator().standard_normal((self.num_embeddings, self.embedding_dim))
        self.weight = Parameter(values.astype(np.float32))

    def forward(self, indices):
        return embedding(indices, self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"
