"""summary(model, input_shape=None): a table of a model's modules, output shapes and parameter counts.

    >>> print(summary(nn.MLP([64, 32, 10]), input_shape=(1, 64)))
    Layer      Type      Output shape    Params
    -------------------------------------------
    (model)    MLP       (1, 10)              0
    0          Linear    (1, 32)          2,080
    1          ReLU      (1, 32)              0
    2          Linear    (1, 10)            330
    -------------------------------------------
    Total params: 2,410
    Trainable params: 2,410
    Non-trainable params: 0

Each row counts the parameters a module holds itself (not its submodules'), so the
column adds up to the total (a parameter shared by several modules counts once in the
total). ``input_shape`` includes the batch axis, like torchinfo's ``input_size``.
"""

import numpy as np

from ..autograd import no_grad
from ..tensor import DEFAULT_FLOAT, Tensor
from .module import Module


class ModelSummary:
    """What ``summary`` returns: ``rows`` of ``(name, type, output shape or None, params)``,
    ``total_params``, ``trainable_params``; ``str()`` and ``repr()`` give the table."""

    def __init__(self, rows, total_params, trainable_params):
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params

    def __str__(self):
        header = ("Layer", "Type", "Output shape", "Params")
        cells = [header] + [
            (name or "(model)", kind, "-" if shape is None else _shape_text(shape), f"{params:,}")
            for name, kind, shape, params in self.rows
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(4)]
        lines = ["    ".join(_pad(row, widths)).rstrip() for row in cells]
        rule = "-" * max(len(line) for line in lines)
        return "\n".join(
            [lines[0], rule, *lines[1:], rule]
            + [
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            ]
        )

    __repr__ = __str__


def summary(model, input_shape=None, dtype=None):
    """A printable table of ``model``'s modules: dotted name, type, output shape, parameters.

    The first row is the model itself (named ``(model)``), then every submodule in
    ``named_modules()`` order. With ``input_shape`` (the batch axis included, e.g.
    ``(1, 64)``), one forward pass runs on zeros of that shape and ``dtype`` (default
    float32), in eval mode under ``no_grad()`` (so dropout draws no random numbers and
    batch norm's running statistics stay as they are); the model's mode is restored
    afterwards. A module the forward pass does not call shows ``-``. Returns a
    ``ModelSummary``; ``print`` it.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary expects a Module, got {type(model).__name__}")
    shapes = {}
    if input_shape is not None:
        shapes = output_shapes(model, np.zeros(_checked_shape(input_shape), dtype=dtype or DEFAULT_FLOAT))
    rows = [
        (name, type(module).__name__, shapes.get(name), sum(p.size for p in module._parameters.values()))
        for name, module in model.named_modules()
    ]
    parameters = list(model.parameters())
    trainable = sum(p.size for p in parameters if p.requires_grad)
    return ModelSummary(rows, sum(p.size for p in parameters), trainable)


def output_shapes(model, x):
    """``{dotted name: output shape}`` for the modules called while ``model`` runs on ``x``.

    Uses forward hooks where ``Module.register_forward_hook`` exists. Otherwise each
    module's ``forward`` is wrapped on the instance (``module.forward = recording
    wrapper``, which ``Module.__call__`` finds before the class's method) and the
    wrappers are removed in a ``finally``, so the model is left as it was even if the
    forward pass fails. A module called more than once keeps its first output's shape.
    """
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            if hasattr(model, "register_forward_hook"):
                return _shapes_with_hooks(model, Tensor(x))
            return _shapes_with_wrappers(model, Tensor(x))
    finally:
        model.train(was_training)


def _shapes_with_hooks(model, x):
    shapes = {}
    handles = []
    try:
        for name, module in model.named_modules():

            def record(module, inputs, output, name=name):
                shapes.setdefault(name, _shape_of(output))

            handles.append(module.register_forward_hook(record))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def _shapes_with_wrappers(model, x):
    shapes = {}
    wrapped = []  # (module, its own instance-level forward or None)
    try:
        for name, module in model.named_modules():
            forward = module.forward  # the bound method, or an instance attribute someone set

            def recording_forward(*args, forward=forward, name=name, **kwargs):
                output = forward(*args, **kwargs)
                shapes.setdefault(name, _shape_of(output))
                return output

            wrapped.append((module, module.__dict__.get("forward")))
            object.__setattr__(module, "forward", recording_forward)
        model(x)
    finally:
        for module, own_forward in wrapped:
            if own_forward is None:
                object.__delattr__(module, "forward")
            else:
                object.__setattr__(module, "forward", own_forward)
    return shapes


def _shape_of(output):
    """A Tensor's or array's shape, a tuple of shapes for a tuple or list of outputs, else None."""
    if isinstance(output, (Tensor, np.ndarray)):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return tuple(_shape_of(item) for item in output)
    return None


def _shape_text(shape):
    if shape and all(isinstance(item, tuple) or item is None for item in shape):
        return ", ".join("-" if item is None else str(item) for item in shape)
    return str(shape)


def _checked_shape(input_shape):
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0 for n in shape):
        raise ValueError(f"input_shape must be a tuple of sizes >= 0 (the batch axis included), got {input_shape!r}")
    return shape


def _pad(row, widths):
    """Left-align the text columns, right-align the parameter count."""
    name, kind, shape, params = row
    return [name.ljust(widths[0]), kind.ljust(widths[1]), shape.ljust(widths[2]), params.rjust(widths[3])]
