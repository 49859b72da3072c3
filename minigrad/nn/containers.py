"""ModuleList and ModuleDict: hold submodules in a list or a dict so that they register.

A plain Python list of layers is invisible to ``parameters()`` and ``state_dict()``;
these containers register every module they hold, like PyTorch's. Neither has a
``forward``: the model that owns one decides how to call its modules.
"""

import numpy as np

from .module import Module, _check_name


class ModuleList(Module):
    """A list of Modules registered as "0", "1", ...: ``append``, ``extend``, ``insert``,
    indexing (slices give a new ModuleList), assignment, ``del``, ``len`` and iteration."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _position(self, index, for_insert=False):
        """``index`` as a non-negative position, with PyTorch's range check."""
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"ModuleList indices must be ints or slices, got {type(index).__name__}")
        length = len(self)
        if for_insert:  # like list.insert: any int works, clamped to the ends
            return min(max(index + length if index < 0 else index, 0), length)
        if not -length <= index < length:
            raise IndexError(f"index {index} is out of range for a ModuleList of length {length}")
        return int(index) % length

    def _renumber(self, modules):
        """Register ``modules`` again as "0", "1", ... (after an insert or a delete)."""
        for name in list(self._modules):
            delattr(self, name)
        for module in modules:
            self.append(module)

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Append every module of an iterable; returns self."""
        modules = list(modules)
        for position, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"ModuleList holds Modules, got {type(module).__name__} at position {position}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Put ``module`` before position ``index``; the ones after it move up by one."""
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList holds Modules, got {type(module).__name__}")
        modules = list(self)
        modules.insert(self._position(index, for_insert=True), module)
        self._renumber(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self)[index])
        return self._modules[str(self._position(index))]

    def __setitem__(self, index, module):
        name = str(self._position(index))
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList holds Modules, got {type(module).__name__}")
        setattr(self, name, module)

    def __delitem__(self, index):
        modules = list(self)
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._position(index)]
        self._renumber(modules)

    def __iadd__(self, modules):
        return self.extend(modules)


class ModuleDict(Module):
    """A dict of Modules registered under their keys (strs), in insertion order: indexing,
    assignment, ``del``, ``in``, ``len``, iteration over keys, ``keys``, ``values``,
    ``items``, ``update``, ``pop`` and ``clear``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        if key not in self._modules:
            raise KeyError(f"{key!r} is not in this ModuleDict (keys: {list(self._modules)})")
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        self[key]  # the KeyError with the keys listed
        delattr(self, key)

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(key, module) pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules):
        """Add or replace modules from a mapping or an iterable of (key, module) pairs."""
        pairs = list(modules.items() if hasattr(modules, "items") else modules)
        for position, pair in enumerate(pairs):  # everything checked before anything is added
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update expects (key, module) pairs, got {pair!r} at position {position}")
            _check_name(pair[0], self)
            if not isinstance(pair[1], Module):
                raise TypeError(f"ModuleDict holds Modules, got {type(pair[1]).__name__} for key {pair[0]!r}")
        for key, module in pairs:
            self[key] = module

    def pop(self, key):
        """Remove the module under ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self):
        """Remove every module."""
        for key in list(self._modules):
            del self[key]
