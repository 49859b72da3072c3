"""Parameter: a Tensor that a Module registers as one of its learnable weights."""

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A float Tensor with ``requires_grad=True`` that a ``Module`` registers on assignment.

    ``data`` may be a Tensor (the Parameter takes its values, not its graph), an ndarray
    (a float array keeps its dtype) or a Python number / nested list (becomes float32).
    Integer or bool data is converted to float32, since only float tensors can learn.
    Like ``mg.tensor``, the Parameter owns a copy of the values.
    """

    def __init__(self, data):
        if isinstance(data, Tensor):
            data = data.data
        if not isinstance(data, np.ndarray):
            data = np.asarray(data, dtype=np.float32)
        elif not np.issubdtype(data.dtype, np.floating):
            data = data.astype(np.float32)
        super().__init__(data, requires_grad=True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
