"""Learning-rate schedulers, with PyTorch's numbers at every step.

StepLR, MultiStepLR, ExponentialLR, LinearLR, LambdaLR and CosineAnnealingLR change
``group["lr"]`` in their optimizer each time ``step()`` is called (once per epoch, after
``optimizer.step()``). Like PyTorch, constructing one records each group's starting
``lr`` as ``group["initial_lr"]`` (unless already there) and counts that as epoch 0; the
rules are PyTorch's "chainable" forms, which update the current ``lr`` rather than
recompute it from scratch (LambdaLR, like PyTorch's, recomputes from ``initial_lr``).

ReduceLROnPlateau is different: its ``step(metric)`` watches a validation metric and
divides the lrs when it stops improving.
"""

import math
import numbers
from collections import Counter

from .optimizer import Optimizer


class LRScheduler:
    """Base class: at each ``step()`` sets every group's lr to ``get_lr()``; subclasses write ``get_lr``.

    A subclass names its constructor options in ``option_names`` and writes
    ``_set_options(**options)``, which checks them all and then stores them;
    ``state_dict()`` saves those options and ``load_state_dict()`` restores them.
    """

    option_names = ()

    def __init__(self, optimizer):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()  # epoch 0: the learning rates as they are (LinearLR, LambdaLR: scaled)

    def _set_options(self):
        """Check and store the options named in ``option_names`` (subclasses take them as keywords)."""

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

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Epoch counter, base and last learning rates, and the options, as plain numbers and lists."""
        state = {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs), "last_lr": list(self._last_lr)}
        for name in self.option_names:
            value = getattr(self, name)
            state[name] = list(value) if isinstance(value, list) else value
        return state

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned (the optimizer's own lrs come from its state dict).

        Everything is checked before anything is set: on an error the scheduler is unchanged.
        """
        _check_keys(state_dict, ("last_epoch", "base_lrs", "last_lr"))
        for key in ("base_lrs", "last_lr"):
            _check_group_count(state_dict[key], key, self.optimizer)
        options = {name: _plain(state_dict.get(name, getattr(self, name))) for name in self.option_names}
        self._set_options(**options)
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = [float(lr) for lr in state_dict["base_lrs"]]
        self._last_lr = [float(lr) for lr in state_dict["last_lr"]]


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    At epoch ``t`` the lr is ``initial_lr * gamma ** (t // step_size)``.
    """

    option_names = ("step_size", "gamma")

    def __init__(self, optimizer, step_size, gamma=0.1):
        self._set_options(step_size=step_size, gamma=gamma)
        super().__init__(optimizer)

    def _set_options(self, step_size, gamma):
        _check_positive_int("step_size", step_size)
        _check_number("gamma", gamma)
        self.step_size, self.gamma = int(step_size), gamma

    def get_lr(self):
        """The current lrs times ``gamma`` when ``last_epoch`` is a non-zero multiple of ``step_size``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` at each epoch listed in ``milestones``.

    At epoch ``t`` the lr is ``initial_lr * gamma ** (number of milestones <= t)``; a
    milestone listed twice counts twice, as in PyTorch.
    """

    option_names = ("milestones", "gamma")

    def __init__(self, optimizer, milestones, gamma=0.1):
        self._set_options(milestones=milestones, gamma=gamma)
        super().__init__(optimizer)

    def _set_options(self, milestones, gamma):
        milestones = list(milestones)
        for milestone in milestones:
            _check_positive_int("each milestone", milestone, lowest=0)
        _check_number("gamma", gamma)
        self.milestones, self.gamma = sorted(int(m) for m in milestones), gamma
        self._counts = Counter(self.milestones)

    def get_lr(self):
        """The current lrs times ``gamma ** k`` when ``last_epoch`` is a milestone listed ``k`` times."""
        times = self._counts.get(self.last_epoch, 0)
        if times == 0:
            return self._current_lrs()
        return [lr * self.gamma**times for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every epoch: ``initial_lr * gamma ** t`` at epoch ``t``."""

    option_names = ("gamma",)

    def __init__(self, optimizer, gamma):
        self._set_options(gamma=gamma)
        super().__init__(optimizer)

    def _set_options(self, gamma):
        _check_number("gamma", gamma)
        self.gamma = gamma

    def get_lr(self):
        """The current lrs times ``gamma`` (unchanged at epoch 0)."""
        if self.last_epoch == 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class LinearLR(LRScheduler):
    """Scale each group's lr by a factor going linearly from ``start_factor`` to ``end_factor``.

    At epoch ``t`` the lr is ``initial_lr * (start + (end - start) * min(t, total_iters) / total_iters)``:
    a warm-up when ``start_factor < end_factor``. Construction already applies ``start_factor``.
    """

    option_names = ("start_factor", "end_factor", "total_iters")

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self._set_options(start_factor=start_factor, end_factor=end_factor, total_iters=total_iters)
        super().__init__(optimizer)

    def _set_options(self, start_factor, end_factor, total_iters):
        _check_number("start_factor", start_factor)
        _check_number("end_factor", end_factor)
        if not 0 < start_factor <= 1:
            raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"end_factor must be in [0, 1], got {end_factor!r}")
        _check_positive_int("total_iters", total_iters)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, int(total_iters)

    def get_lr(self):
        """The next lrs by PyTorch's chainable rule (equal to the closed form up to rounding)."""
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        if self.last_epoch == 0:
            return [lr * start for lr in self._current_lrs()]
        if self.last_epoch > total:
            return self._current_lrs()
        ratio = 1 + (end - start) / (total * start + (self.last_epoch - 1) * (end - start))
        return [lr * ratio for lr in self._current_lrs()]


class LambdaLR(LRScheduler):
    """Set each group's lr to ``initial_lr * lr_lambda(t)`` at epoch ``t``.

    ``lr_lambda`` is one function for every group, or a list with one per group. The
    functions are not in ``state_dict()``: rebuild the scheduler with them, then load.
    """

    def __init__(self, optimizer, lr_lambda):
        _check_optimizer(optimizer)
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"expected {groups} lr_lambdas (one per parameter group), got {len(lr_lambda)}")
            lr_lambdas = list(lr_lambda)
        else:
            lr_lambdas = [lr_lambda] * groups
        for position, function in enumerate(lr_lambdas):
            if not callable(function):
                raise TypeError(f"lr_lambda {position} must be a function of the epoch, got {function!r}")
        self.lr_lambdas = lr_lambdas
        super().__init__(optimizer)

    def get_lr(self):
        """``initial_lr * lr_lambda(last_epoch)`` for each group."""
        return [
            base_lr * function(self.last_epoch)
            for base_lr, function in zip(self.base_lrs, self.lr_lambdas, strict=True)
        ]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's lr from its initial value to ``eta_min`` along a cosine over ``T_max`` epochs.

    The values equal ``eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``
    at every epoch ``t``; past ``T_max`` they follow the cosine back up, as PyTorch's do.
    """

    option_names = ("T_max", "eta_min")

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self._set_options(T_max=T_max, eta_min=eta_min)
        super().__init__(optimizer)

    def _set_options(self, T_max, eta_min):
        _check_positive_int("T_max", T_max)
        _check_number("eta_min", eta_min)
        self.T_max, self.eta_min = int(T_max), eta_min

    def get_lr(self):
        """The next lrs by PyTorch's recursive rule (equal to the closed form up to rounding)."""
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if t == 0:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:
            # Just past a minimum, where the ratio below would divide by zero: climb one step.
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base_lr, lr in zip(self.base_lrs, self._current_lrs(), strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]


class ReduceLROnPlateau:
    """Multiply each group's lr by ``factor`` when a metric has stopped improving, like PyTorch's.

    Call ``step(metric)`` once per epoch with the validation loss (``mode="min"``) or a score
    (``mode="max"``). A metric is better than the best so far when it beats it by more than
    ``threshold``: relatively (``threshold_mode="rel"``: below ``best * (1 - threshold)`` in
    "min" mode, above ``best * (1 + threshold)`` in "max" mode) or absolutely (``"abs"``:
    ``best -/+ threshold``). After more than ``patience`` epochs in a row without a better
    metric, each lr becomes ``max(lr * factor, min_lr)`` (skipped when that changes it by
    ``eps`` or less), then ``cooldown`` epochs pass before bad epochs count again.
    """

    option_names = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "eps")

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0,
        eps=1e-8,
    ):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        self._set_options(mode, factor, patience, threshold, threshold_mode, cooldown, eps)
        self.min_lrs = _min_lrs(min_lr, optimizer)
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def _set_options(self, mode, factor, patience, threshold, threshold_mode, cooldown, eps):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        for name, value in (("factor", factor), ("threshold", threshold), ("eps", eps)):
            _check_number(name, value)
        if not 0 <= factor < 1:
            raise ValueError(f"factor must be in [0, 1) (it multiplies the lr), got {factor!r}")
        _check_positive_int("patience", patience, lowest=0)
        _check_positive_int("cooldown", cooldown, lowest=0)
        self.mode, self.factor, self.patience, self.threshold = mode, factor, int(patience), threshold
        self.threshold_mode, self.cooldown, self.eps = threshold_mode, int(cooldown), eps

    def is_better(self, metric, best):
        """Whether ``metric`` beats ``best`` by more than the threshold (see the class docstring)."""
        if self.mode == "min":
            limit = best * (1 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold
            return metric < limit
        limit = best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        return metric > limit

    def step(self, metrics):
        """Record one epoch's metric (a number or a one-element Tensor); lower the lrs on a plateau."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                old_lr = float(group["lr"])
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates after the last ``step()``: a list, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self):
        """Counters, the best metric, the lrs and the options, as plain numbers, strings and lists."""
        state = {name: getattr(self, name) for name in self.option_names}
        state.update(
            last_epoch=self.last_epoch,
            last_lr=list(self._last_lr),
            min_lrs=list(self.min_lrs),
            best=self.best,
            num_bad_epochs=self.num_bad_epochs,
            cooldown_counter=self.cooldown_counter,
        )
        return state

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned; everything is checked first, so a failed load changes nothing."""
        counters = ("last_epoch", "last_lr", "min_lrs", "best", "num_bad_epochs", "cooldown_counter")
        _check_keys(state_dict, counters)
        _check_group_count(state_dict["last_lr"], "last_lr", self.optimizer)
        min_lrs = _min_lrs(list(state_dict["min_lrs"]), self.optimizer)
        options = [_plain(state_dict.get(name, getattr(self, name))) for name in self.option_names]
        self._set_options(*options)
        self.min_lrs = min_lrs
        self.last_epoch = int(state_dict["last_epoch"])
        self._last_lr = [float(lr) for lr in state_dict["last_lr"]]
        self.best = float(state_dict["best"])
        self.num_bad_epochs = int(state_dict["num_bad_epochs"])
        self.cooldown_counter = int(state_dict["cooldown_counter"])


# --- checks shared by the schedulers ------------------------------------------------------------


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")


def _check_number(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")


def _check_positive_int(name, value, lowest=1):
    """Raise ValueError unless ``value`` is an integer >= ``lowest`` (1: positive; 0: non-negative)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < lowest:
        kind = "a positive integer" if lowest == 1 else f"an integer >= {lowest}"
        raise ValueError(f"{name} must be {kind}, got {value!r}")


def _check_keys(state_dict, keys):
    if not isinstance(state_dict, dict):
        raise ValueError(f"a scheduler state dict is a dict, got {type(state_dict).__name__}")
    missing = [key for key in keys if key not in state_dict]
    if missing:
        raise ValueError(f"scheduler state dict is missing {missing}")


def _check_group_count(values, key, optimizer):
    groups = len(optimizer.param_groups)
    if len(values) != groups:
        raise ValueError(
            f"scheduler state dict has {len(values)} values in '{key}', the optimizer has {groups} parameter groups"
        )


def _min_lrs(min_lr, optimizer):
    """ReduceLROnPlateau's ``min_lr``, one number for all groups or a list with one per group."""
    groups = len(optimizer.param_groups)
    values = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * groups
    if len(values) != groups:
        raise ValueError(f"expected {groups} min_lrs (one per parameter group), got {len(values)}")
    values = [_plain(value) for value in values]
    for value in values:
        _check_number("min_lr", value)
    return [float(value) for value in values]


def _plain(value):
    """A NumPy scalar (as loaded from a file) as a Python number; other values unchanged."""
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", None) == 0 else value
