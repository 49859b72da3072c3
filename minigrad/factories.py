"""Ways to make tensors: zeros, ones, full, arange, linspace, eye, the ``*_like`` ones, and random ones.

The random ones (randn, rand, randint and their ``*_like``) draw from the one global generator
(see ``mg.manual_seed``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from .random import get_generator
from .tensor import DEFAULT_FLOAT, Tensor
from .typing import TensorLike


def _shape(shape):
    """``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _made(array, dtype, requires_grad):
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return Tensor._from_op(array).requires_grad_(requires_grad)


def zeros(*shape: int | Sequence[int], dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    return _made(np.zeros(_shape(shape), dtype=dtype or DEFAULT_FLOAT), None, requires_grad)


def ones(*shape: int | Sequence[int], dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    return _made(np.ones(_shape(shape), dtype=dtype or DEFAULT_FLOAT), None, requires_grad)


def full(shape: int | Sequence[int], value: float, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``value``; the dtype follows the value like ``mg.tensor(value)``."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    fill = Tensor(value).data
    return _made(np.full(shape, fill, dtype=dtype or fill.dtype), None, requires_grad)


def zeros_like(t: TensorLike, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``t``."""
    t = np.asarray(t)
    return _made(np.zeros(t.shape, dtype=dtype or t.dtype), None, requires_grad)


def ones_like(t: TensorLike, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``t``."""
    t = np.asarray(t)
    return _made(np.ones(t.shape, dtype=dtype or t.dtype), None, requires_grad)


def arange(
    start: float, stop: float | None = None, step: float = 1, dtype: DTypeLike = None, requires_grad: bool = False
) -> Tensor:
    """Evenly spaced values in [start, stop), like ``np.arange``; integers stay int64, floats are float32."""
    if stop is None:
        start, stop = 0, start
    values = np.arange(start, stop, step)
    if dtype is None and values.dtype == np.float64:
        values = values.astype(DEFAULT_FLOAT)
    return _made(values, dtype, requires_grad)


def eye(n: int, m: int | None = None, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (square when ``m`` is None)."""
    return _made(np.eye(n, m, dtype=dtype or DEFAULT_FLOAT), None, requires_grad)


def _float_dtype(dtype, maker):
    """``dtype`` (float32 when None) for a factory that makes floats; any other dtype is a TypeError."""
    dtype = np.dtype(dtype or DEFAULT_FLOAT)
    if dtype.kind != "f":
        raise TypeError(f"{maker} makes floating-point values; dtype {dtype} would truncate them (give a float dtype)")
    return dtype


def randn(*shape: int | Sequence[int], dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the global generator (see ``mg.manual_seed``); a float dtype only."""
    dtype = _float_dtype(dtype, "randn")
    return _made(get_generator().standard_normal(_shape(shape), dtype=np.float64), dtype, requires_grad)


def rand(*shape: int | Sequence[int], dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the global generator (see ``mg.manual_seed``); a float dtype only."""
    dtype = _float_dtype(dtype, "rand")
    return _made(get_generator().random(_shape(shape), dtype=np.float64), dtype, requires_grad)


def randint(
    low: int, high: int, shape: int | Sequence[int], dtype: DTypeLike = None, requires_grad: bool = False
) -> Tensor:
    """Integers drawn uniformly from [low, high) (int64 unless ``dtype`` says otherwise)."""
    if high <= low:
        raise ValueError(f"randint needs low < high, got low={low}, high={high}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    values = get_generator().integers(low, high, shape, dtype=np.int64)
    return _made(values, dtype, requires_grad)


def randn_like(t: TensorLike, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with the shape of ``t`` (and its dtype, unless given; it must be a float)."""
    t = np.asarray(t)
    return randn(t.shape, dtype=_float_dtype(dtype or t.dtype, "randn_like"), requires_grad=requires_grad)


def rand_like(t: TensorLike, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) with the shape of ``t`` (and its dtype, unless given; it must be a float)."""
    t = np.asarray(t)
    return rand(t.shape, dtype=_float_dtype(dtype or t.dtype, "rand_like"), requires_grad=requires_grad)


def full_like(t: TensorLike, value: float, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """``value`` everywhere, with the shape and dtype of ``t`` (the dtype unless given), like ``torch.full_like``."""
    t = np.asarray(t)
    return _made(np.full(t.shape, Tensor(value).data, dtype=dtype or t.dtype), None, requires_grad)


def linspace(start: float, stop: float, num: int = 50, dtype: DTypeLike = None, requires_grad: bool = False) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``, both included (float32 unless ``dtype`` is a float)."""
    dtype = _float_dtype(dtype, "linspace")
    if num < 0:
        raise ValueError(f"linspace needs num >= 0, got {num}")
    return _made(np.linspace(start, stop, num, dtype=np.float64), dtype, requires_grad)
