"""Module: the base class of every layer and model.

A Module finds its learnable state by watching attribute assignment: assigning a
``Parameter`` registers it in ``self._parameters``, assigning a ``Module`` registers it
in ``self._modules``, both in assignment order (and the value stays an ordinary attribute
too, so reading it is a plain lookup). Buffers, arrays that are state but not learnt
(BatchNorm's running statistics), are registered explicitly with ``register_buffer``
and kept in ``self._buffers``. Everything else (``parameters()``, ``state_dict()``,
``train()``, the repr) is a walk over those dicts.
"""

import os
import sys
import warnings
from collections import OrderedDict, namedtuple

import numpy as np

from ..hooks import RemovableHandle
from ..tensor import Tensor
from .parameter import Parameter

#: What ``load_state_dict`` returns, like PyTorch's: the keys it did not find either way.
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for layers and models: subclass it, assign parameters and submodules
    in ``__init__`` (after ``super().__init__()``), and define ``forward``."""

    # Set on an instance the first time a float64 input meets its float32 parameters.
    _warned_float64 = False

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "training", True)

    # ----------------------------------------------------------------- registration

    def __setattr__(self, name, value):
        """Register Parameters and Modules by name, update registered buffers; anything
        else is a plain attribute."""
        parameters = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, (Parameter, Module)) and parameters is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() "
                f"was called; call super().__init__() first in {type(self).__name__}.__init__"
            )
        # A name holds one kind of thing: assigning drops any other registration under
        # it, while re-assigning a registered name keeps its place in the order.
        if isinstance(value, Parameter):
            modules.pop(name, None)
            buffers.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif buffers is not None and name in buffers:
            # A buffer stays a buffer: losing running statistics from the state_dict
            # because of a mistyped assignment would be a silent error.
            _check_buffer(name, value)
            buffers[name] = value
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
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            return buffers[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        """Delete an attribute, unregistering it if it is a parameter, submodule or buffer."""
        found = False
        for kind in ("_parameters", "_modules", "_buffers"):
            registry = self.__dict__.get(kind, {})
            if name in registry:
                del registry[name]
                found = True
        self.__dict__.get("_non_persistent_buffers", set()).discard(name)
        if found and name not in self.__dict__:
            return  # it was put in the dict directly, never set as an attribute
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._modules) | set(self._buffers))

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

    def register_buffer(self, name, array, persistent=True):
        """Register ``array`` (an ndarray, or None) as a buffer: state that is not learnt,
        such as BatchNorm's running statistics.

        A buffer reads like an attribute (``self.running_mean``), is not in
        ``parameters()``, and is saved by ``state_dict()`` unless ``persistent=False``
        (a None buffer is never saved). Assigning a new ndarray (or None) to its name
        replaces it; assigning anything else raises TypeError (``del`` removes it).
        """
        _check_name(name, self)
        if name in self.__dict__ and name not in self._buffers:
            raise KeyError(f"attribute {name!r} already exists in {type(self).__name__}")
        _check_buffer(name, array)
        self._buffers[name] = array
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, array)

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

    def _walk_state(self):
        """Yield (dotted name, array) for everything ``state_dict`` saves, in PyTorch's
        order: each module's parameters, then its persistent buffers, then its submodules'."""
        for module_name, module in self._walk_modules():
            prefix = f"{module_name}." if module_name else ""
            for name, param in module._parameters.items():
                yield prefix + name, param.data
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent_buffers:
                    yield prefix + name, buffer

    def named_buffers(self):
        """Yield (dotted name, ndarray) for every buffer (None ones skipped), once each."""
        seen = set()
        for module_name, module in self._walk_modules():
            for name, buffer in module._buffers.items():
                if buffer is not None and id(buffer) not in seen:
                    seen.add(id(buffer))
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self):
        """Yield every buffer's ndarray once, in the order of ``named_buffers()``."""
        for _, buffer in self.named_buffers():
            yield buffer

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

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule (children first) and then on self; returns self.

        The usual use is initialisation: ``model.apply(init_weights)``.
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, target=None, *, dtype=None, device=None):
        """Cast every parameter (and floating buffer) to a float ``dtype``, or accept the
        device "cpu"; returns self.

        ``target`` is a dtype (``mg.float64``) or a device ("cpu", or any object whose
        str is "cpu"); ``dtype=`` and ``device=`` may be given by name instead. The
        parameters are cast in place (the same Parameter objects, so an optimizer built
        before still holds them), their gradients too. Any device other than the CPU
        raises ValueError.
        """
        if target is not None:
            if _is_dtype(target):
                dtype = target
            else:
                device = target
        if device is not None:
            _check_device(device)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to casts to a floating dtype only, got {dtype}")
        for param in self.parameters():
            param.data = param.data.astype(dtype, copy=False)
            if param.grad is not None:
                param.grad = param.grad.astype(dtype, copy=False)
        for module in self.modules():
            for name, buffer in list(module._buffers.items()):
                if buffer is not None and buffer.dtype.kind == "f":
                    setattr(module, name, buffer.astype(dtype, copy=False))
        return self

    def state_dict(self):
        """An OrderedDict mapping each parameter's and persistent buffer's dotted name
        (such as "0.weight", "1.running_mean") to a copy of its array.

        A shared parameter appears under every name it is reachable by, like PyTorch.
        """
        return OrderedDict((name, array.copy()) for name, array in self._walk_state())

    def load_state_dict(self, state, strict=True):
        """Copy arrays from ``state`` (name -> ndarray, Tensor or nested list) into the
        parameters and persistent buffers, keeping each one's dtype.

        Every key, value and shape is checked first. On any problem a RuntimeError lists
        them all (missing and unexpected keys only when ``strict``; a shape mismatch
        names the key and both shapes) and the module is left exactly as it was.
        Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
            raise TypeError(f"load_state_dict expects a mapping of names to arrays, got {type(state).__name__}")
        own = OrderedDict(self._walk_state())
        missing = [name for name in own if name not in state]
        unexpected = [key for key in state.keys() if key not in own]
        problems = []
        if strict and missing:
            problems.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)) + ".")
        if strict and unexpected:
            problems.append("Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)) + ".")
        to_copy = []
        for name, target in own.items():
            if name not in state:
                continue
            value = state[name]
            array = _numeric_array(value)
            if array is None:
                problems.append(
                    f"value for '{name}' is not a numeric array, Tensor or nested list (got {type(value).__name__})."
                )
            elif array.shape != target.shape:
                problems.append(
                    f"size mismatch for '{name}': the state_dict has shape {array.shape}, "
                    f"the model has shape {target.shape}."
                )
            elif not target.flags.writeable:
                problems.append(f"the array of '{name}' in the model is read-only.")
            else:
                to_copy.append((target, array))
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(problems))
        for target, array in to_copy:
            np.copyto(target, array, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- call & repr

    def forward(self, *args, **kwargs):
        """Compute the module's output; every subclass defines its own."""
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define forward(self, ...) in the class")

    def __call__(self, *args, **kwargs):
        output = self.forward(*args, **kwargs)
        if self._forward_hooks:  # one dict lookup when there are none
            for hook in list(self._forward_hooks.values()):
                replaced = hook(self, args, output)
                if replaced is not None:
                    output = replaced
        return output

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after every forward (``inputs`` the tuple
        of positional arguments); a hook that returns something other than None replaces
        the output. Hooks run in the order registered. Returns a handle whose
        ``.remove()`` takes the hook off.
        """
        return RemovableHandle.add(self._forward_hooks, hook)

    def _warn_if_float64(self, x):
        """Warn, once per layer, when a float64 input meets float32 parameters.

        The layer then computes in float64 (NumPy's promotion): correct, but usually an
        accident and twice as slow. Layers call this at the top of ``forward``.
        """
        dtype = getattr(x, "dtype", None)
        if self._warned_float64 or dtype is None or dtype.char != "d":  # "d": float64, in either byte order
            return
        if not any(param.dtype == np.float32 for param in self._parameters.values()):
            return
        object.__setattr__(self, "_warned_float64", True)
        warnings.warn(
            f"{self!r} got a float64 input but its parameters are float32: it computes in float64 "
            "(promotion); usually an accident and twice as slow: pass float32 data or call model.to(mg.float64)",
            stacklevel=_first_frame_outside_nn(),
        )

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


_FLOAT64 = np.dtype(np.float64)
_NN_DIRECTORY = os.path.dirname(os.path.abspath(__file__))


def _first_frame_outside_nn():
    """The ``stacklevel`` of the caller's first frame outside minigrad.nn: the user's line."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _NN_DIRECTORY:
        frame, level = frame.f_back, level + 1
    return level


def _check_buffer(name, value):
    """Raise TypeError unless ``value`` can be the buffer ``name`` (an ndarray or None)."""
    if value is not None and not isinstance(value, np.ndarray):
        hint = " (a buffer holds the array itself: use .data)" if isinstance(value, Tensor) else ""
        raise TypeError(f"buffer {name!r} must be an ndarray or None, got {type(value).__name__}{hint}")


def _is_dtype(value):
    """Does ``value`` name a NumPy dtype (np.float32, np.dtype("float64"), float), rather than a device?"""
    if isinstance(value, np.dtype):
        return True
    return isinstance(value, type) and issubclass(value, (np.generic, float, int, bool))


def _check_device(device):
    """Accept the CPU ("cpu", "cpu:0", or an object whose str is one of them); raise for any other device."""
    name = str(device)
    if name not in ("cpu", "cpu:0"):
        hint = f" (to cast, pass a dtype such as mg.{name}, not a string)" if name in ("float32", "float64") else ""
        raise ValueError(f"minigrad runs on the CPU only; got device {name!r}{hint}")


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
