"""RMSprop: divide each step by a running root-mean-square of the gradients (Hinton's lecture 6e)."""

import numpy as np

from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with PyTorch's update rule.

    For each parameter ``p`` with a gradient ``g`` (γ lr, α alpha, λ weight_decay, μ momentum)::

        g = g + λ p                              if λ != 0
        v = α v + (1 - α) g²                     (square_avg)
        centered:  a = α a + (1 - α) g,  d = sqrt(v - a²) + eps     (a: grad_avg)
        otherwise:                       d = sqrt(v) + eps
        μ > 0:     b = μ b + g / d,  p = p - γ b                    (b: momentum_buffer)
        otherwise:                   p = p - γ g / d

    State per parameter: ``"step"``, ``"square_avg"``, and ``"momentum_buffer"`` when
    momentum > 0, ``"grad_avg"`` when centered (all buffers start at zero).
    """

    buffer_names = ("square_avg", "momentum_buffer", "grad_avg")
    scalar_names = ("step",)
    non_negative_options = ("lr", "alpha", "eps", "weight_decay", "momentum")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        names = {"step", "square_avg"}
        if group["momentum"] > 0:
            names.add("momentum_buffer")
        if group["centered"]:
            names.add("grad_avg")
        return names

    def _update(self, param, grad, group):
        """One RMSprop step of ``param`` (``grad`` is never changed in place: other code may share it)."""
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        data = param.data
        state = self.state.setdefault(param, {"step": 0})
        for name in self._state_names(group):
            if name not in state:
                state[name] = np.zeros_like(data)
        state["step"] += 1

        if weight_decay != 0:
            grad = grad + weight_decay * data
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)  # a = α a + (1 - α) g, as PyTorch's lerp_
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += grad / avg
            data -= lr * buffer
        else:
            data -= lr * (grad / avg)
