"""Type aliases for minigrad's signatures: ``TensorLike`` operands, ``TensorOrArray`` op results, ``Axis`` arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

# What an op takes as an operand: a Tensor, an ndarray, a NumPy or Python number, or a nested list.
TensorLike = Union["Tensor", np.ndarray, np.generic, float, int, bool, list]
# What an op returns: a Tensor when any operand is a Tensor, else (as inside backward rules) an ndarray.
TensorOrArray = Union["Tensor", np.ndarray]
# An axis argument: one axis, several, or None for all of them.
Axis = int | tuple[int, ...] | None

__all__ = ["Axis", "TensorLike", "TensorOrArray"]
