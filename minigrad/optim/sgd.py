"""SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""

from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's update rule.

    For each parameter ``p`` with a gradient ``g`` (λ weight_decay, μ momentum,
    τ dampening, γ lr)::

        g = g + λ p                          if λ != 0
        b = g (a copy)        at the first step with momentum μ != 0,
        b = μ b + (1 - τ) g   after that
        g = g + μ b  if nesterov, else  g = b
        p = p - γ g

    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    buffer_names = ("momentum_buffer",)
    non_negative_options = ("lr", "momentum", "weight_decay")

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_group(self, group, index):
        super()._check_group(group, index)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r} "
                f"(parameter group {index})"
            )

    def _update(self, param, grad, group):
        """One SGD step of ``param`` (``grad`` is never changed in place: other code may share it)."""
        momentum, weight_decay = float(group["momentum"]), float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * param.data
        if momentum != 0:
            state = self.state.setdefault(param, {})
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = grad.astype(param.data.dtype, copy=True)
                state["momentum_buffer"] = buffer
            else:
                buffer *= momentum
                buffer += (1 - float(group["dampening"])) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        data = param.data
        data -= float(group["lr"]) * grad
