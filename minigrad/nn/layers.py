"""Layers: Linear, the activations, Dropout, Flatten, Identity, and the containers
Sequential and MLP."""

import copy
import math
import numbers
from collections import OrderedDict

import numpy as np

from ..random import get_generator
from . import functional as F
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """``y = x @ weight.T + bias`` with ``weight`` of shape (out_features, in_features).

    Initialised like PyTorch: weight and bias uniform in ±1/sqrt(in_features), drawn
    (weight first, then bias) from minigrad's global generator, in float32.
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear {name} must be an int >= 0, got {value!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        bound = 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0
        rng = get_generator()
        weight = rng.uniform(-bound, bound, size=(out_features, in_features))
        self.weight = Parameter(weight.astype(np.float32))
        if bias:
            bias_values = rng.uniform(-bound, bound, size=(out_features,))
            self.bias = Parameter(bias_values.astype(np.float32))
        else:
            self.bias = None

    def forward(self, x):
        self._warn_if_float64(x)
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """Elementwise ``max(x, 0)``."""

    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    """Elementwise hyperbolic tangent."""

    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    """Elementwise ``1 / (1 + exp(-x))``."""

    def forward(self, x):
        return F.sigmoid(x)


class Softmax(Module):
    """Softmax along ``axis``: each slice along it becomes positive and sums to 1."""

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
        return F.softmax(x, axis=self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """The log of the softmax along ``axis``, computed stably with log-sum-exp."""

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
        return F.log_softmax(x, axis=self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)``; in eval mode, return the input unchanged."""

    def __init__(self, p=0.5):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class Flatten(Module):
    """Keep the first (batch) axis and flatten the rest: shape (N, d1, d2, ...) becomes
    (N, d1 * d2 * ...), like PyTorch's ``nn.Flatten()``."""

    def forward(self, x):
        if x.ndim < 2:
            raise ValueError(f"Flatten needs a batch axis and at least one more, got shape {tuple(x.shape)}")
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))


class Identity(Module):
    """Return the input unchanged (a placeholder where a layer is optional)."""

    def forward(self, x):
        return x


class Sequential(Module):
    """Run modules one after another; they register as "0", "1", ... (or under the keys
    of a single OrderedDict argument). Supports ``len``, indexing, slicing and iteration."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                if not isinstance(module, Module):
                    raise TypeError(f"Sequential expects Modules, got {type(module).__name__} at position {index}")
                self.add_module(str(index), module)

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"Sequential indices must be ints or slices, got {type(index).__name__}")
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range for a Sequential of length {len(items)}")
        return items[index][1]


_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class MLP(Sequential):
    """A multilayer perceptron: ``Linear(sizes[i], sizes[i + 1])`` for each consecutive
    pair of sizes, with an activation between them and none after the last.

    It is a Sequential, so its layers are named "0", "1", "2", ...: ``MLP([2, 16, 3])``
    has parameters "0.weight", "0.bias", "2.weight", "2.bias" (the activation is "1").
    ``activation`` is "relu", "tanh" or "sigmoid", a Module class (or any function
    returning a new Module), or a Module instance (each gap gets its own copy).
    """

    def __init__(self, sizes, activation="relu"):
        sizes = list(sizes)
        if len(sizes) < 2 or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes
        ):
            raise ValueError(f"MLP sizes must be at least two positive ints, got {sizes!r}")
        make_activation = _activation_factory(activation)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            if i > 0:
                layers.append(make_activation())
            layers.append(Linear(n_in, n_out))
        super().__init__(*layers)
        self.sizes = sizes


def _activation_factory(activation):
    """A zero-argument function that makes a new activation Module for MLP."""
    if isinstance(activation, str):
        if activation.lower() not in _ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; expected one of {sorted(_ACTIVATIONS)}, "
                "a Module class or a Module instance"
            )
        return _ACTIVATIONS[activation.lower()]
    if isinstance(activation, Module):
        return lambda: copy.deepcopy(activation)
    if callable(activation):

        def make():
            module = activation()
            if not isinstance(module, Module):
                raise TypeError(f"MLP activation factory returned {type(module).__name__}, not a Module")
            return module

        return make
    raise TypeError(
        f"MLP activation must be a name, a Module class or a Module instance, got {type(activation).__name__}"
    )
