"""Finite-difference checks of the analytic gradients: gradcheck and gradgradcheck.

The check projects the function's outputs on a fixed random direction ``r``
(so the function becomes one number, f = Σ r·out) and compares, for every input
element, the analytic df/dx_i with the central difference
(f(x + eps·e_i) - f(x - eps·e_i)) / (2 eps). A wrong Jacobian J almost surely
gives a wrong rᵀJ, so nothing is lost against building J whole.
"""

import warnings

import numpy as np

from .autograd import grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _directions(outputs, seed):
    """The fixed random direction r for each output; for a one-element output r = 1, so the
    values compared (and named in an error) are the derivatives d out / d x themselves."""
    rng = np.random.default_rng(seed)
    one_element = sum(o.size for o in outputs if o is not None) == 1
    return [None if o is None else np.ones(o.shape) if one_element else rng.standard_normal(o.shape) for o in outputs]


def _projection(outputs, directions):
    """Σ r·out over all (Tensor) outputs: the one number whose gradient we check."""
    total = 0.0
    for out, r in zip(outputs, directions):
        if out is not None:
            total = total + (out * r).sum()
    return total


def _value(fn, inputs, directions):
    outputs = _as_tuple(fn(*inputs))  # with grad enabled: fn may differentiate inside
    return float(
        sum(np.sum(np.asarray(o.data, dtype=np.float64) * r) for o, r in zip(outputs, directions) if o is not None)
    )


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the gradients of ``fn(*inputs)`` against central finite differences.

    ``inputs`` is a Tensor or a tuple of Tensors; those with ``requires_grad`` are
    checked (use float64). Returns True, or raises ``GradcheckError`` naming the
    input, the worst element, both values and the error (returns False instead
    when ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck needs at least one input Tensor with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != np.float64:
            warnings.warn(
                f"gradcheck input {i} is {inputs[i].dtype}, not float64: finite differences will be inaccurate",
                stacklevel=2,
            )
    outputs = _as_tuple(fn(*inputs))
    directions = _directions(outputs, seed=0)
    total = _projection(outputs, directions)
    if not isinstance(total, Tensor) or not total.requires_grad:
        analytic = [np.zeros(inputs[i].shape) for i in checked]
    else:
        found = grad(total, [inputs[i] for i in checked], allow_unused=True)
        analytic = [
            np.zeros(inputs[i].shape) if g is None else np.asarray(g.data, dtype=np.float64)
            for g, i in zip(found, checked)
        ]
    for i, expected in zip(checked, analytic):
        x = inputs[i].data
        numeric = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            original = x[index]
            x[index] = original + eps
            plus = _value(fn, inputs, directions)
            x[index] = original - eps
            minus = _value(fn, inputs, directions)
            x[index] = original
            numeric[index] = (plus - minus) / (2 * eps)
        error = np.abs(expected - numeric)
        allowed = atol + rtol * np.abs(numeric)
        if np.any(~(error <= allowed)):
            worst = np.unravel_index(np.nanargmax(np.where(np.isnan(error), np.inf, error - allowed)), x.shape)
            message = (
                f"gradient of input {i} is wrong at index {tuple(int(k) for k in worst)}: analytic "
                f"{expected[worst]:.6g}, numeric {numeric[worst]:.6g}, error {error[worst]:.3g} "
                f"(allowed {allowed[worst]:.3g})"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check second derivatives: gradcheck of the first-order gradient built with ``create_graph=True``."""
    inputs = _as_tuple(inputs)
    checked = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outputs = _as_tuple(fn(*inputs))
    directions = _directions(outputs, seed=1)

    def first_derivative(*xs):
        total = _projection(_as_tuple(fn(*xs)), directions)
        targets = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        return grad(total, targets, create_graph=True, allow_unused=True)

    return gradcheck(first_derivative, inputs, eps, atol, rtol, raise_exception) if checked else True
