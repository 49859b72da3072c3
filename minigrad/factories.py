"""Ways to make tensors: zeros, ones, full, arange, eye, and random ones from the global generator."""

import numpy as np

from .random import get_generator
from .tensor import DEFAULT_FLOAT, Tensor


def _shape(shape):
    """``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _made(array, dtype, requires_grad):
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return Tensor._from_op(array).requires_grad_(requires_grad)


def zeros(*shape, dtype=None, requires_grad=False):
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    return _made(np.zeros(_shape(shape), dtype=dtype or DEFAULT_FLOAT), None, requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    return _made(np.ones(_shape(shape), dtype=dtype or DEFAULT_FLOAT), None, requires_grad)


def full(shape, value, dtype=None, requires_grad=False):
    """A tensor of ``shape`` filled with ``value``; the dtype follows the value like ``mg.tensor(value)``."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    fill = Tensor(value).data
    return _made(np.full(shape, fill, dtype=dtype or fill.dtype), None, requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    """Zeros with the shape (and dtype, unless given) of ``t``."""
    t = np.asarray(t)
    return _made(np.zeros(t.shape, dtype=dtype or t.dtype), None, requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    """Ones with the shape (and dtype, unless given) of ``t``."""
    t = np.asarray(t)
    return _made(np.ones(t.shape, dtype=dtype or t.dtype), None, requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values in [start, stop), like ``np.arange``; integers stay int64, floats are float32."""
    if stop is None:
        start, stop = 0, start
    values = np.arange(start, stop, step)
    if dtype is None and values.dtype == np.float64:
        values = values.astype(DEFAULT_FLOAT)
    return _made(values, dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The n x m identity matrix (square when ``m`` is None)."""
    return _made(np.eye(n, m, dtype=dtype or DEFAULT_FLOAT), None, requires_grad)


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples from the global generator (see ``mg.manual_seed``)."""
    values = get_generator().standard_normal(_shape(shape), dtype=np.float64)
    return _made(values, dtype or DEFAULT_FLOAT, requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1) from the global generator (see ``mg.manual_seed``)."""
    values = get_generator().random(_shape(shape), dtype=np.float64)
    return _made(values, dtype or DEFAULT_FLOAT, requires_grad)
