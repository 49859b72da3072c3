"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

import math

import numpy as np

from .optimizer import Optimizer, check_betas


class Adam(Optimizer):
    """Adam with PyTorch's update rule (``weight_decay`` is an L2 penalty added to the gradient).

    For each parameter ``p`` with a gradient ``g``, at step ``t`` = 1, 2, ...::

        g = g + weight_decay * p                  (AdamW instead: p = p * (1 - lr * weight_decay))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        p = p - lr / (1 - beta1**t) * m / denom

    State per parameter: ``"step"`` (int), ``"exp_avg"`` (m), ``"exp_avg_sq"`` (v).
    """

    buffer_names = ("exp_avg", "exp_avg_sq")
    scalar_names = ("step",)
    non_negative_options = ("lr", "eps", "weight_decay")
    decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group, index):
        super()._check_group(group, index)
        check_betas(group, index)

    def _update(self, param, grad, group):
        """One Adam step of ``param`` (``grad`` is never changed in place: other code may share it)."""
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        data = param.data
        if param not in self.state:
            self.state[param] = {"step": 0, "exp_avg": np.zeros_like(data), "exp_avg_sq": np.zeros_like(data)}
        state = self.state[param]
        state["step"] += 1
        step = state["step"]

        if weight_decay != 0:
            if self.decoupled_weight_decay:
                data *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * data

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # m = beta1*m + (1-beta1)*g, computed the way PyTorch's lerp_ does it
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        denom = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + eps
        data -= step_size * exp_avg / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's update rule.

    Before each Adam step the parameter shrinks: ``p = p * (1 - lr * weight_decay)``;
    the gradient itself gets no L2 term.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
