"""Learning-rate schedulers: StepLR and CosineAnnealingLR, with PyTorch's numbers at every step.

A scheduler changes ``group["lr"]`` in its optimizer each time ``step()`` is called
(once per epoch, after ``optimizer.step()``). Like PyTorch, constructing one records
each group's starting ``lr`` as ``group["initial_lr"]`` (unless already there) and
counts that as epoch 0; the rules are PyTorch's "chainable" forms, which update the
current ``lr`` rather than recompute it from scratch.
"""

import math
import numbers

from .optimizer import Optimizer


class LRScheduler:
    """Base class: at each ``step()`` sets every group's lr to ``get_lr()``; subclasses write ``get_lr``."""

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()  # epoch 0: the learning rates as they are

    def get_lr(self):
        """The lrs for epoch ``last_epoch``; ``step()`` calls it (read lrs with ``get_last_lr()``)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def step(self):
        """Advance one epoch and write the new learning rate into each parameter group."""
        self.last_epoch += 1
        new_lrs = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, new_lrs, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the last ``step()``: a list, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self):
        """Epoch counter, base and last learning rates, and the options, as plain numbers and lists."""
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs), "last_lr": list(self._last_lr)}

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned (the optimizer's own lrs come from its state dict)."""
        missing = [key for key in ("last_epoch", "base_lrs", "last_lr") if key not in state_dict]
        if missing:
            raise ValueError(f"scheduler state dict is missing {missing}")
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "last_lr"):
            if len(state_dict[key]) != groups:
                raise ValueError(
                    f"scheduler state dict has {len(state_dict[key])} values in '{key}', "
                    f"the optimizer has {groups} parameter groups"
                )
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = [float(lr) for lr in state_dict["base_lrs"]]
        self._last_lr = [float(lr) for lr in state_dict["last_lr"]]


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    At epoch ``t`` the lr is ``initial_lr * gamma ** (t // step_size)``.
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        _check_step_size(step_size)
        _check_number("gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer)

    def get_lr(self):
        """The current lrs times ``gamma`` when ``last_epoch`` is a non-zero multiple of ``step_size``."""
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def state_dict(self):
        """The base state plus ``step_size`` and ``gamma``."""
        return {**super().state_dict(), "step_size": self.step_size, "gamma": self.gamma}

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned."""
        step_size = state_dict.get("step_size", self.step_size)
        gamma = state_dict.get("gamma", self.gamma)
        _check_step_size(step_size)
        _check_number("gamma", gamma)
        super().load_state_dict(state_dict)
        self.step_size = int(step_size)
        self.gamma = float(gamma)


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's lr from its initial value to ``eta_min`` along a cosine over ``T_max`` epochs.

    The values equal ``eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``
    at every epoch ``t``; past ``T_max`` they follow the cosine back up, as PyTorch's do.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        _check_t_max(T_max)
        _check_number("eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer)

    def get_lr(self):
        """The next lrs by PyTorch's recursive rule (equal to the closed form up to rounding)."""
        groups = self.optimizer.param_groups
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if t == 0:
            return [group["lr"] for group in groups]
        if (t - 1 - T) % (2 * T) == 0:
            # Just past a minimum, where the ratio below would divide by zero: climb one step.
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base_lr, group in zip(self.base_lrs, groups, strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]

    def state_dict(self):
        """The base state plus ``T_max`` and ``eta_min``."""
        return {**super().state_dict(), "T_max": self.T_max, "eta_min": self.eta_min}

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned."""
        t_max = state_dict.get("T_max", self.T_max)
        eta_min = state_dict.get("eta_min", self.eta_min)
        _check_t_max(t_max)
        _check_number("eta_min", eta_min)
        super().load_state_dict(state_dict)
        self.T_max = t_max
        self.eta_min = float(eta_min)


def _check_number(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")


def _check_step_size(step_size):
    if not isinstance(step_size, numbers.Integral) or isinstance(step_size, bool) or step_size < 1:
        raise ValueError(f"step_size must be a positive integer, got {step_size!r}")


def _check_t_max(t_max):
    if not isinstance(t_max, numbers.Integral) or isinstance(t_max, bool) or t_max < 1:
        raise ValueError(f"T_max must be a positive integer, got {t_max!r}")
