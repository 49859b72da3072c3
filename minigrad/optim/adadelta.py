"""Adadelta: steps scaled by the ratio of running RMS of past updates to running RMS of gradients."""

import numpy as np

from .optimizer import Optimizer, check_between


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012) with PyTorch's update rule.

    For each parameter ``p`` with a gradient ``g`` (ρ rho)::

        g = g + weight_decay * p                               if weight_decay != 0
        v = ρ v + (1 - ρ) g²                                   (square_avg)
        Δ = sqrt(u + eps) / sqrt(v + eps) * g
        u = ρ u + (1 - ρ) Δ²                                   (acc_delta)
        p = p - lr * Δ

    State per parameter: ``"step"`` (int), ``"square_avg"`` (v), ``"acc_delta"`` (u).
    """

    buffer_names = ("square_avg", "acc_delta")
    scalar_names = ("step",)
    non_negative_options = ("lr", "eps", "weight_decay")

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group, index):
        super()._check_group(group, index)
        check_between(group, "rho", index, 0.0, 1.0)

    def _update(self, param, grad, group):
        """One Adadelta step of ``param`` (``grad`` is never changed in place: other code may share it)."""
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        data = param.data
        if param not in self.state:
            self.state[param] = {"step": 0, "square_avg": np.zeros_like(data), "acc_delta": np.zeros_like(data)}
        state = self.state[param]
        state["step"] += 1

        if weight_decay != 0:
            grad = grad + weight_decay * data
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        data -= lr * delta
