"""Axis arguments, checked once for every op: NumPy's ``axis``/``keepdims`` and PyTorch's ``dim``/``keepdim``."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any, SupportsIndex, TypeVar

import numpy as np

from ..typing import Axis


def normalize_axis(axis: SupportsIndex, ndim: int) -> int:
    """One axis (an integer, negatives allowed) as 0..ndim-1; a 0-d tensor takes axis 0 or -1.

    Raises TypeError for anything that is not an integer (a string, a float) and
    ValueError for an axis out of range, so a wrong axis never reduces the wrong thing.
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        try:
            axis = operator.index(axis)  # a one-element integer Tensor is an axis too
        except TypeError:
            raise TypeError(f"an axis must be an integer, got {axis!r} ({type(axis).__name__})") from None
    size = max(ndim, 1)
    if not -size <= axis < size:
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} dimensions")
    return int(axis) % size


def normalize_axes(axis: Axis | list[int], ndim: int) -> tuple[int, ...]:
    """``axis`` (None for all, an int or a tuple of ints) as a sorted tuple of distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    normalized = [normalize_axis(ax, ndim) for ax in axes]
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis} repeats an axis")
    return tuple(sorted(normalized))


_TORCH_NAMES = (("dim", "axis"), ("keepdim", "keepdims"))

F = TypeVar("F", bound=Callable[..., Any])  # accepts_dim returns a function of the same signature


def accepts_dim(fn: F) -> F:
    """Let ``fn`` take PyTorch's ``dim=``/``keepdim=`` as well as NumPy's ``axis=``/``keepdims=``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for torch_name, numpy_name in _TORCH_NAMES:
            if torch_name in kwargs:
                if numpy_name in kwargs:
                    raise TypeError(f"{fn.__name__}() got both {numpy_name}= and {torch_name}=; pass one of them")
                kwargs[numpy_name] = kwargs.pop(torch_name)
        return fn(*args, **kwargs)

    return wrapper
