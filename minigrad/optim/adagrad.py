"""Adagrad: per-coordinate steps that shrink with the sum of the squared gradients so far."""

import numpy as np

from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad with PyTorch's update rule.

    For each parameter ``p`` with a gradient ``g``, at step ``t`` = 1, 2, ...::

        g = g + weight_decay * p                         if weight_decay != 0
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g²                                       (s starts at initial_accumulator_value)
        p = p - lr_t * g / (sqrt(s) + eps)

    State per parameter: ``"step"`` (int) and ``"sum"`` (s). ``initial_accumulator_value``
    is keyword-only here (PyTorch's takes it before ``eps``).
    """

    buffer_names = ("sum",)
    scalar_names = ("step",)
    non_negative_options = ("lr", "lr_decay", "weight_decay", "eps", "initial_accumulator_value")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, eps=1e-10, *, initial_accumulator_value=0):
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "eps": eps,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        """One Adagrad step of ``param`` (``grad`` is never changed in place: other code may share it)."""
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        data = param.data
        if param not in self.state:
            initial = float(group["initial_accumulator_value"])
            self.state[param] = {"step": 0, "sum": np.full_like(data, initial)}
        state = self.state[param]
        state["step"] += 1

        if weight_decay != 0:
            grad = grad + weight_decay * data
        step_lr = lr / (1 + (state["step"] - 1) * lr_decay)
        square_sum = state["sum"]
        square_sum += grad * grad
        data -= step_lr * (grad / (np.sqrt(square_sum) + eps))
