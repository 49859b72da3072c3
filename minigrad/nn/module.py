"""Module: the base class of every layer and model.

A Module finds its learnable state by watching attribute assignment: assigning a
``Parameter`` registers it in ``self._parameters``, assigning a ``Module`` registers it
in ``self._modules``, both in assignment order (and the value stays an ordinary attribute
too, so reading it is a plain lookup). Everything else (``parameters()``,
``state_dict()``, ``train()``, the repr) is a walk over those two dicts.
"""

from collections import OrderedDict, namedtuple

import numpy as np

from ..tensor import Tensor
from .parameter import Parameter

#: What ``load_state_dict`` returns, like PyTorch's: the keys it did not find either way.
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for layers and models: subclass it, assign parameters and submodules
    in ``__init__`` (after ``super().__init__()``), and define ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ----------------------------------------------------------------- registration

    def __setattr__(self, name, value):
        """Register Parameters and Modules by name; anything else is a plain attribute."""
        parameters = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        if isinstance(value, (Parameter, Module)) and parameters is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() "
                f"was called; call super().__init__() first in {type(self).__name__}.__init__"
            )
        # A name holds one kind of thing: assigning drops any other registration under
        # it, while re-assigning a registered name keeps its place in the order.
        if isinstance(value, Parameter):
            modules.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters.pop(name, None)
            modules[name] = value
        elif parameters is not None:
            parameters.pop(name, None)
            modules.pop(name, None)
        # Registered or not, the value is also an ordinary attribute: reading self.weight
        # in forward is a plain lookup, not a search of the two dicts.
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        """Find parameters and submodules put in the dicts directly (called only when normal lookup fails)."""
        parameters = self.__dict__.get("_parameters")
        if parameters is not None and name in parameters:
            return parameters[name]
        modules = self.__dict__.get("_modules")
        if modules is not None and name in modules:
            return modules[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        """Delete an attribute, unregistering it if it is a parameter or submodule."""
        registered = [self.__dict__.get(kind, {}).pop(name, None) for kind in ("_parameters", "_modules")]
        if any(value is not None for value in registered) and name not in self.__dict__:
            return  # it was put in the dict directly, never set as an attribute
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._modules))

    def add_module(self, name, module):
        """Register ``module`` under ``name`` (for names that are not identifiers, like "0")."""
        _check_name(name, self)
        if not isinstance(module, Module):
            raise TypeError(f"add_module expects a Module, got {type(module).__name__}")
        setattr(self, name, module)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter) under ``name``."""
        _check_name(name, self)
        if not isinstance(param, Parameter):
            raise TypeError(f"register_parameter expects a Parameter, got {type(param).__name__}")
        setattr(self, name, param)

    # ----------------------------------------------------------------------- walks

    def _walk_modules(self, prefix=""):
        """Yield (dotted name, module) for self and every submodule, depth first,
        including modules that appear under more than one name."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child._walk_modules(f"{prefix}.{name}" if prefix else name)

    def _walk_parameters(self):
        """Yield (dotted name, parameter) for every name a parameter is reachable by:
        each module's own parameters, then its submodules', like PyTorch's order."""
        for module_name, module in self._walk_modules():
            for name, param in module._parameters.items():
                yield (f"{module_name}.{name}" if module_name else name), param

    def named_parameters(self):
        """Yield (dotted name, parameter) pairs such as ("fc1.bias", p); a parameter
        shared by several modules comes once, under the first name it was found by."""
        seen = set()
        for name, param in self._walk_parameters():
            if id(param) not in seen:
                seen.add(id(param))
                yield name, param

    def parameters(self):
        """Yield every parameter once, in the order of ``named_parameters()``."""
        for _, param in self.named_parameters():
            yield param

    def named_children(self):
        """Yield (name, module) for each direct submodule, once each."""
        seen = set()
        for name, child in self._modules.items():
            if id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        """Yield each direct submodule once."""
        for _, child in self.named_children():
            yield child

    def named_modules(self):
        """Yield (dotted name, module) for this module (name "") and all submodules, once each."""
        seen = set()
        for name, module in self._walk_modules():
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def modules(self):
        """Yield this module and every submodule once, depth first."""
        for _, module in self.named_modules():
            yield module

    # ---------------------------------------------------------------------- state

    def zero_grad(self):
        """Set the gradient of every parameter to None."""
        for param in self.parameters():
            param.grad = None

    def train(self, mode=True):
        """Put this module and all submodules in training mode (or eval mode with
        ``mode=False``); returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode) expects True or False, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Put this module and all submodules in evaluation mode; returns self."""
        return self.train(False)

    def state_dict(self):
        """An OrderedDict mapping each parameter's dotted name to a copy of its array.

        A shared parameter appears under every name it is reachable by, like PyTorch.
        """
        return OrderedDict((name, param.data.copy()) for name, param in self._walk_parameters())

    def load_state_dict(self, state, strict=True):
        """Copy arrays from ``state`` (name -> ndarray, Tensor or nested list) into the
        parameters, keeping each parameter's dtype.

        Every key, value and shape is checked first. On any problem a RuntimeError lists
        them all (missing and unexpected keys only when ``strict``; a shape mismatch
        names the key and both shapes) and the module is left exactly as it was.
        Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
            raise TypeError(f"load_state_dict expects a mapping of names to arrays, got {type(state).__name__}")
        own = OrderedDict(self._walk_parameters())
        missing = [name for name in own if name not in state]
        unexpected = [key for key in state.keys() if key not in own]
        problems = []
        if strict and missing:
            problems.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)) + ".")
        if strict and unexpected:
            problems.append("Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)) + ".")
        to_copy = []
        for name, param in own.items():
            if name not in state:
                continue
            value = state[name]
            array = _numeric_array(value)
            if array is None:
                problems.append(
                    f"value for '{name}' is not a numeric array, Tensor or nested list (got {type(value).__name__})."
                )
            elif array.shape != param.data.shape:
                problems.append(
                    f"size mismatch for '{name}': the state_dict has shape {array.shape}, "
                    f"the parameter in the model has shape {param.data.shape}."
                )
            else:
                to_copy.append((param, array))
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(problems))
        for param, array in to_copy:
            np.copyto(param.data, array, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- call & repr

    def forward(self, *args, **kwargs):
        """Compute the module's output; every subclass defines its own."""
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define forward(self, ...) in the class")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def extra_repr(self):
        """The text inside the parentheses of this module's repr, e.g. "p=0.5"."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, child in self._modules.items():
            child_text = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {child_text}")
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and not self._modules:
            return f"{type(self).__name__}({lines[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _check_name(name, module):
    """Raise if ``name`` cannot be a registration name in ``module``."""
    if not isinstance(name, str):
        raise TypeError(f"a module or parameter name must be a str, got {type(name).__name__}")
    if name == "" or "." in name:
        raise KeyError(f"a module or parameter name must be non-empty with no '.', got {name!r}")
    if hasattr(type(module), name):
        raise KeyError(f"name {name!r} clashes with an attribute of {type(module).__name__}")


def _numeric_array(value):
    """``value`` as an ndarray of numbers (bool, int or float), or None if it is not one."""
    if isinstance(value, Tensor):
        value = value.data
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    if array.dtype.kind not in "biuf":
        return None
    return array
