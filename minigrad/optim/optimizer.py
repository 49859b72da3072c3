"""Optimizer: the base class every optimizer builds on (parameter groups, state, checkpoints).

An optimizer holds ``param_groups``, a list of dicts like PyTorch's: each has a
``"params"`` list and that group's options (``"lr"``, ``"momentum"``, ...). Options a
group does not set take the values given to the constructor. ``state`` maps each
parameter (a Tensor; Tensors hash by identity) to a dict of its buffers, created by the
subclass's ``_update()`` the first time that parameter has a gradient.

``step()`` is written once, here: it checks every parameter's ``.grad`` first (an ndarray
of floats shaped like the parameter), so a bad gradient raises before any parameter or
any state changes; then it calls the subclass's ``_update(param, grad, group)`` for each
parameter with a gradient and counts that write in the parameter's ``_version``.

``state_dict()`` names parameters by their position (0, 1, 2, ... over the groups in
order), like PyTorch::

    {"state": {0: {"momentum_buffer": ndarray}, ...},
     "param_groups": [{"lr": 0.1, "momentum": 0.9, ..., "params": [0, 1]}, ...]}

Only dicts, lists, tuples, ndarrays and Python numbers appear in it, so
``mg.save(opt.state_dict(), path)`` then ``opt.load_state_dict(mg.load(path))`` restores
it exactly (``mg.save`` keeps integer keys as integers). ``load_state_dict`` also accepts
the indices as strings (``"0"``) and the ``"params"`` lists as integer arrays.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ..tensor import Tensor, bump_version


class Optimizer:
    """Base class: keeps the parameter groups and per-parameter state; subclasses write ``_update()``.

    ``params`` is an iterable of Tensors (one group) or of dicts (parameter groups, each
    ``{"params": [...], "lr": ..., ...}``); ``defaults`` holds the options a group may
    leave out. Subclasses name what they keep per parameter: ``buffer_names`` (arrays
    shaped like the parameter) and ``scalar_names`` (numbers such as a step count), and
    the options that must be numbers >= 0 (``non_negative_options``).
    """

    buffer_names = ()
    scalar_names = ()
    non_negative_options = ("lr",)

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}
        for group in _groups_from(params):
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group (a dict with ``"params"`` and any options); options it omits take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"a parameter group needs a 'params' entry, got keys {sorted(param_group)}")
        index = len(self.param_groups)
        params = _param_list(param_group["params"])
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for position, param in enumerate(params):
            _check_param(param, index, position)
            if id(param) in seen:
                raise ValueError(
                    f"parameter {position} of group {index} appears more than once "
                    "(twice in one group or in more than one parameter group)"
                )
            seen.add(id(param))
        group = dict(self.defaults)
        group.update(param_group)
        group["params"] = params
        self._check_group(group, index)
        self.param_groups.append(group)

    def _check_group(self, group, index):
        """Raise ValueError naming the bad value if a group's options are invalid; subclasses add theirs."""
        for name in self.non_negative_options:
            check_non_negative(group, name, index)

    def _state_names(self, group):
        """The names a parameter's state holds under ``group``'s options (all of them unless a subclass says)."""
        return set(self.buffer_names) | set(self.scalar_names)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad = None`` (or fresh zeros with ``set_to_none=False``)."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad = np.zeros_like(param.data)

    def step(self, closure: Callable[[], object] | None = None) -> object:
        """Update every parameter whose ``.grad`` is set, in place; returns ``closure()``'s loss if given.

        Every gradient is checked before anything is written: if one is not an ndarray of
        floats shaped like its parameter, this raises and no parameter or state has changed.
        """
        loss = closure() if closure is not None else None
        updates = []
        index = 0
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    check_grad(param, index)
                    updates.append((param, param.grad, group))
                index += 1
        for param, grad, group in updates:
            self._update(param, grad, group)
        bump_version(*[param for param, _, _ in updates])
        return loss

    def _update(self, param, grad, group):
        """Write one step into ``param.data`` (and ``self.state[param]``); ``grad`` is checked. Subclasses."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _update()")

    # --- checkpoints --------------------------------------------------------------------

    def state_dict(self) -> dict:
        """The optimizer's state and options as plain dicts, lists, ndarray copies and numbers.

        Parameters are named by position over the groups (see the module docstring).
        """
        position = {}
        groups = []
        for group in self.param_groups:
            saved = {key: _copy(value) for key, value in group.items() if key != "params"}
            saved["params"] = []
            for param in group["params"]:
                position.setdefault(id(param), len(position))
                saved["params"].append(position[id(param)])
            groups.append(saved)
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state:
                    state[position[id(param)]] = {k: _copy(v) for k, v in self.state[param].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and buffers saved by ``state_dict()`` (buffers are copied, not shared).

        Group count, group sizes, state keys and buffer shapes are all checked first: on
        any error this raises ``ValueError`` and the optimizer is left unchanged.
        """
        if not isinstance(state_dict, dict):
            raise ValueError(f"an optimizer state dict is a dict, got {type(state_dict).__name__}")
        if "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                f"an optimizer state dict has the keys 'state' and 'param_groups', got {sorted(map(str, state_dict))}"
            )
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} parameter groups, this optimizer has {len(self.param_groups)}"
            )
        param_at = {}
        group_of = {}
        new_groups = []
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"parameter group {index} of the state dict is not a dict with 'params'")
            saved_params = list(saved["params"])
            if len(saved_params) != len(group["params"]):
                raise ValueError(
                    f"parameter group {index} has {len(saved_params)} parameters in the state "
                    f"dict, {len(group['params'])} in this optimizer"
                )
            new_group = {key: value for key, value in group.items() if key != "params"}
            new_group.update({key: _plain(value) for key, value in saved.items() if key != "params"})
            self._check_group(new_group, index)
            new_groups.append(new_group)
            for key, param in zip(saved_params, group["params"], strict=True):
                param_at[_as_index(key)] = param
                group_of[_as_index(key)] = new_group

        new_state = {}
        for key, saved_state in dict(state_dict["state"]).items():
            index = _as_index(key)
            if index not in param_at:
                raise ValueError(
                    f"the state dict has state for parameter {index}, "
                    f"but the parameter groups name only {len(param_at)} parameters"
                )
            new_state[param_at[index]] = self._loaded_param_state(saved_state, param_at[index], index, group_of[index])

        # Everything checked: now write, keeping the same group dicts (schedulers may hold them).
        for group, new_group in zip(self.param_groups, new_groups, strict=True):
            params = group["params"]
            group.clear()
            group.update(new_group)
            group["params"] = params
        self.state = new_state

    def _loaded_param_state(self, saved_state, param, index, group):
        """A checked copy of one parameter's saved state: what ``group``'s options need, nothing unknown."""
        required = self._state_names(group)
        known = set(self.buffer_names) | set(self.scalar_names)
        if not isinstance(saved_state, dict) or not required <= set(saved_state) <= known:
            found = sorted(map(str, saved_state)) if isinstance(saved_state, dict) else saved_state
            raise ValueError(f"state of parameter {index} has {found}, {type(self).__name__} keeps {sorted(required)}")
        loaded = {}
        for name, value in saved_state.items():
            if name in self.buffer_names:
                loaded[name] = _loaded_buffer(value, param, index, name)
            else:
                loaded[name] = _loaded_scalar(value, index, name)
        return loaded

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


# --- checks shared by the subclasses (and nn.utils) ------------------------------------------


def check_grad(param, index):
    """Raise unless ``param.grad`` is an ndarray of floats with the parameter's shape.

    ``index`` is the parameter's position over all groups (as in ``state_dict()``); the
    error names it: TypeError for a grad that is not an ndarray or not floating,
    ValueError for a shape that differs from the parameter's.
    """
    grad = param.grad
    if not isinstance(grad, np.ndarray):
        hint = ""
        if isinstance(grad, Tensor):
            hint = " (use its .data)"
        elif isinstance(grad, np.generic):
            hint = " scalar (np.asarray(value) makes it a 0-d array)"
        raise TypeError(f"the .grad of parameter {index} must be a NumPy ndarray, got a {type(grad).__name__}{hint}")
    if grad.dtype.kind != "f":
        raise TypeError(f"the .grad of parameter {index} must be a float array, got dtype {grad.dtype}")
    if grad.shape != param.data.shape:
        raise ValueError(
            f"the .grad of parameter {index} has shape {grad.shape}, the parameter has shape {param.data.shape}"
        )


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_non_negative(group, name, index):
    """Raise ValueError unless ``group[name]`` is a number >= 0 (NaN fails too)."""
    value = group[name]
    if not _is_number(value) or not value >= 0:
        raise ValueError(f"invalid {name}: expected a number >= 0, got {value!r} (parameter group {index})")


def check_between(group, name, index, low, high):
    """Raise ValueError unless ``group[name]`` is a number in ``[low, high]``."""
    value = group[name]
    if not _is_number(value) or not low <= value <= high:
        raise ValueError(
            f"invalid {name}: expected a number in [{low}, {high}], got {value!r} (parameter group {index})"
        )


def check_betas(group, index):
    """Raise ValueError unless ``group["betas"]`` is a pair of numbers in [0, 1)."""
    betas = group["betas"]
    if isinstance(betas, np.ndarray):
        betas = betas.tolist()
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"invalid betas: expected a pair (beta1, beta2), got {betas!r} (parameter group {index})")
    for position, beta in enumerate(betas):
        if not _is_number(beta) or not 0.0 <= beta < 1.0:
            raise ValueError(
                f"invalid beta parameter at index {position}: expected a number in [0, 1), "
                f"got {beta!r} (parameter group {index})"
            )


# --- helpers ---------------------------------------------------------------------------------


def _groups_from(params):
    """The constructor's ``params`` as a non-empty list of group dicts."""
    if isinstance(params, Tensor):
        raise TypeError(
            "params must be an iterable of Tensors or of dicts, got a single Tensor (wrap it in a list: [tensor])"
        )
    if isinstance(params, dict):
        raise TypeError(
            "params must be an iterable of Tensors or of dicts, got a dict "
            "(for parameter groups pass a list of dicts; for a model pass model.parameters())"
        )
    items = list(params)
    if not items:
        raise ValueError("optimizer got an empty parameter list")
    if all(isinstance(item, dict) for item in items):
        return items
    return [{"params": items}]


def _param_list(params):
    """A group's ``"params"`` (a Tensor or an iterable of them) as a list."""
    if isinstance(params, Tensor):
        return [params]
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            "parameters must be given in an ordered collection (a list), not a set, "
            "so that state_dict() can name them by position"
        )
    return list(params)


def _check_param(param, group_index, position):
    if not isinstance(param, Tensor):
        raise TypeError(
            f"an optimizer can only optimize Tensors, but parameter {position} of group "
            f"{group_index} is a {type(param).__name__}"
        )
    if param.data.dtype.kind != "f":
        raise TypeError(
            f"an optimizer can only optimize float Tensors, but parameter {position} of group "
            f"{group_index} has dtype {param.data.dtype}"
        )
    if not param.is_leaf:
        raise ValueError(
            f"can't optimize a non-leaf Tensor (parameter {position} of group {group_index} "
            "was made by an op); optimize the leaf it came from, or detach() it"
        )


def _as_index(key):
    """A parameter index from a state dict: an int, a NumPy integer or a string of digits."""
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.isdigit():
        return int(key)
    raise ValueError(f"parameter indices in an optimizer state dict are integers, got {key!r}")


def _copy(value):
    """An ndarray is copied (so a state dict is a snapshot); other values are kept."""
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def _plain(value):
    """NumPy scalars and 0-d arrays as Python numbers; other values unchanged."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    return value


def _loaded_buffer(value, param, index, name):
    """A copy of one saved buffer, which must have the parameter's shape; floats take its dtype."""
    if isinstance(value, Tensor):
        value = value.data
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        raise ValueError(f"state '{name}' of parameter {index} should be an array of numbers, got {value!r}")
    if array.shape != param.data.shape:
        raise ValueError(
            f"state '{name}' of parameter {index} has shape {array.shape}, the parameter has shape {param.data.shape}"
        )
    return np.array(array, dtype=param.data.dtype, copy=True)


def _loaded_scalar(value, index, name):
    """One saved per-parameter number (such as Adam's step count) as a Python number."""
    value = _plain(value)
    if not _is_number(value):
        raise ValueError(f"state '{name}' of parameter {index} should be a number, got {value!r}")
    return value
