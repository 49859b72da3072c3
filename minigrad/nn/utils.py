"""nn.utils: gradient clipping, like PyTorch's ``clip_grad_norm_`` and ``clip_grad_value_``.

``parameters`` is one Tensor or an iterable of them (``model.parameters()``); those whose
``.grad`` is None are skipped. Every gradient is checked first (an ndarray of floats with
its parameter's shape), so a bad one raises before any gradient changes. The clipped
gradients are new arrays in the same dtype, assigned to ``.grad``: an array that other
code still holds (for instance a gradient passed to ``backward``) is never changed.
"""

import math
import numbers

import numpy as np

from ..optim.optimizer import check_grad
from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients together so that their total norm is at most ``max_norm``; return that norm.

    The total norm is the ``norm_type``-norm of all gradients as one vector (``float("inf")``
    or ``"inf"``: the largest absolute value), returned as a Python float measured before
    clipping. When ``max_norm / (total + 1e-6) < 1`` every gradient is multiplied by that
    ratio, as PyTorch does. A non-finite total raises ``RuntimeError`` if
    ``error_if_nonfinite``; otherwise it gives NaN gradients, as in PyTorch.
    """
    params = _params_with_grads(parameters)
    max_norm = _non_negative("max_norm", max_norm)
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type must be > 0 (or inf), got {norm_type!r}")
    if not params:
        return 0.0
    # The norm of the per-gradient norms is the norm of all gradients concatenated.
    norms = np.array([np.linalg.norm(p.grad.ravel(), ord=norm_type) for p in params], dtype=np.float64)
    total = float(np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {total}, so they cannot be clipped; "
            "pass error_if_nonfinite=False to clip anyway"
        )
    scale = max_norm / (total + 1e-6)
    if scale < 1.0 or math.isnan(scale):
        for param in params:
            param.grad = (param.grad * scale).astype(param.grad.dtype, copy=False)
    return total


def clip_grad_value_(parameters, clip_value):
    """Clip every gradient element into ``[-clip_value, clip_value]``."""
    params = _params_with_grads(parameters)
    clip_value = _non_negative("clip_value", clip_value)
    for param in params:
        param.grad = np.clip(param.grad, -clip_value, clip_value).astype(param.grad.dtype, copy=False)


def _params_with_grads(parameters):
    """The parameters (one Tensor or an iterable) that have a gradient, each gradient checked."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    with_grads = []
    for index, param in enumerate(params):
        if not isinstance(param, Tensor):
            raise TypeError(f"parameter {index} is a {type(param).__name__}, not a Tensor")
        if param.grad is not None:
            check_grad(param, index)
            with_grads.append(param)
    return with_grads


def _non_negative(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


from .summary import ModelSummary, summary  # noqa: E402, F401  (nn.utils.summary)
