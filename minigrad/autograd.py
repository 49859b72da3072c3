"""The engine: graph nodes, grad mode, the backward pass and ``grad``.

Every differentiable op is a small ``Function`` subclass with a ``forward`` on ndarrays
and a ``backward`` that turns the gradient of the output into the gradients of the
inputs (a vector-Jacobian product). Calling an op on Tensors that need gradients makes
a new Function object, the graph node: it remembers its inputs, and the output Tensor
points back to it. ``backward()`` walks those nodes from the output to the leaves.

Backward rules are written with the same ops they differentiate. During an ordinary
``backward()`` they are called on plain ndarrays, so they are plain NumPy; under
``grad(..., create_graph=True)`` they are called on Tensors, so the gradient is itself
recorded as a graph and can be differentiated again.

Grad mode and the observers (the debuggers: ``detect_anomaly``, ``trace``) are per
thread. The engine knows observers only as objects with two methods, ``forward`` and
``backward``, that it calls after each op and after each backward step.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Sequence
from heapq import heappop, heappush

import numpy as np

from .tensor import Tensor, as_array, is_scalar, result_dtype, writes_so_far
from .typing import TensorOrArray

__all__ = [
    "Function",
    "Observer",
    "backward",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "observing",
    "set_grad_enabled",
    "topological_order",
]


# --- per-thread state: grad mode and observers ------------------------------------------


class _Settings:
    """One thread's settings: does it record the graph, and who observes the engine."""

    __slots__ = ("grad_enabled", "observers")

    def __init__(self):
        self.grad_enabled = True
        self.observers = ()  # a tuple, replaced (never mutated) when one is added or removed


class _PerThread(threading.local):
    def __init__(self):  # runs once in each thread that uses the engine: grad on, no observers
        self.settings = _Settings()


_per_thread = _PerThread()


def _settings():
    """This thread's ``_Settings`` (ops read them once per call)."""
    return _per_thread.settings


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default) in this thread."""
    return _per_thread.settings.grad_enabled


class _GradMode:
    """Sets whether ops record the graph inside a ``with`` block or a decorated function."""

    enabled = True

    def __new__(cls, *args):
        if len(args) == 1 and callable(args[0]):  # used bare as a decorator: @mg.no_grad
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        settings = self.settings = _settings()  # the thread that enters is the one that leaves
        self.previous, settings.grad_enabled = settings.grad_enabled, self.enabled

    def __exit__(self, *exc):
        self.settings.grad_enabled = self.previous

    def __call__(self, fn):
        enabled = self.enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(enabled):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """``with mg.no_grad():``, ``@mg.no_grad()`` or ``@mg.no_grad``: ops inside build no graph at all."""

    enabled = False


class enable_grad(_GradMode):
    """``with mg.enable_grad():`` (or as a decorator) records the graph again, even inside ``no_grad``."""

    enabled = True


class set_grad_enabled(_GradMode):
    """``with mg.set_grad_enabled(flag):`` records the graph or not, as ``flag`` says."""

    def __init__(self, mode):
        self.enabled = bool(mode)


class Observer:
    """Watches the engine in one thread; subclasses override what they need.

    ``forward(op, out)`` runs after every op's forward (``out`` is the output Tensor);
    ``backward(node, output, grad, input_grads)`` after every backward step, with the
    gradient the node received and the ones its backward returned (before the engine sums
    them back to each input's shape; None where an input gets none).
    """

    def forward(self, op, out):
        pass

    def backward(self, node, output, grad, input_grads):
        pass


class observing:
    """``with observing(observer):`` the engine calls ``observer`` in this thread until the block ends."""

    def __init__(self, observer):
        self.observer = observer

    def __enter__(self):
        settings = _settings()
        settings.observers = (*settings.observers, self.observer)
        return self.observer

    def __exit__(self, *exc):
        settings = _settings()
        settings.observers = tuple(o for o in settings.observers if o is not self.observer)


# --- graph nodes -----------------------------------------------------------------------------

_creation_order = itertools.count(1)  # numbers the nodes as they are made: 1, 2, 3, ...
# (True, False) -> (True, False): nodes with one pattern of needs share one tuple, so a
# graph holds fewer objects for Python's garbage collector to walk
_shared_needs = {}


class Function:
    """One differentiable op. Subclasses define ``forward`` and ``backward`` side by side.

    ``forward(*arrays)`` computes the output from the inputs' ndarrays.
    ``backward(grad, out, *inputs)`` returns one gradient per input (None where
    ``self.needs[i]`` is False) and is written with minigrad's ops, so it runs on
    ndarrays or on Tensors alike. ``out`` is the op's output. Gradients may have
    the broadcast shape: the engine sums them back to each input's shape.

    Parameters that are not differentiable (an axis, a shape, an index) are
    given to the constructor: ``Sum(axis, keepdims)(x)``.
    """

    # Does backward read the inputs or the output? Then they count as saved: changing one
    # in place before backward is an error, and a second backward needs retain_graph=True.
    saves_tensors = True
    # Is the output a view of the first input's values (a reshape, a slice)? Then the two
    # share one version counter, so writing into either is seen by graphs that saved the other.
    makes_view = False

    def __call__(self, *inputs):
        inputs, arrays, needs, versions = _prepare(inputs)
        out = self.forward(*arrays)
        if needs is None:
            return out  # called on ndarrays (as inside a backward rule): plain NumPy
        settings = _per_thread.settings  # this thread's grad mode and observers
        recording = settings.grad_enabled and True in needs
        out = Tensor._from_op(out, self if recording else None)
        if self.makes_view:
            out._share_versions_if_view_of(inputs[0])
        if recording:
            needs = _shared_needs.setdefault(needs, needs)
            self.inputs, self.arrays, self.needs = inputs, arrays, needs
            self.sequence = next(_creation_order)  # later than every input's node
            if self.saves_tensors:  # what backward checks: the saved tensors' versions now
                self.versions, self.output_version = versions, out._version_counter[0]
                self.writes_seen = writes_so_far[0]
        for observer in settings.observers:
            observer.forward(self, out)
        return out

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad, out, *inputs):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    @property
    def name(self):
        """The op's name, as traces and graphs show it."""
        return type(self).__name__


def _prepare(inputs):
    """What an op needs to know about its inputs, in one pass over them.

    Returns the inputs (numbers and nested lists made arrays), the arrays forward computes
    with (all in the op's dtype), which inputs need a gradient, and the versions of the
    Tensor inputs (which backward checks). ``needs`` is None when no input is a Tensor:
    then the op is plain NumPy, as inside a backward rule.

    The first lines answer the ops an MLP is made of without the general loop: one
    Tensor, two Tensors of one dtype, or a float Tensor and a Python number; and the
    ndarrays of one dtype that backward rules call ops with.
    """
    if len(inputs) == 2:
        a, b = inputs
        if isinstance(a, Tensor):
            if isinstance(b, Tensor) and a.data.dtype is b.data.dtype:
                versions = (a._version_counter[0], b._version_counter[0])
                return inputs, (a.data, b.data), (a.requires_grad, b.requires_grad), versions
            if type(b) in (float, int) and a.data.dtype.kind == "f":
                b = np.asarray(b, a.data.dtype)  # NumPy multiplies by a 0-d array faster than by a float
                return (a, b), (a.data, b), (a.requires_grad, False), (a._version_counter[0],)
        elif type(a) is np.ndarray and type(b) is np.ndarray and a.dtype is b.dtype:
            return inputs, inputs, None, ()
    elif len(inputs) == 1:
        (a,) = inputs
        if isinstance(a, Tensor):
            return inputs, (a.data,), (a.requires_grad,), (a._version_counter[0],)
        if type(a) is np.ndarray:
            return inputs, inputs, None, ()
    return _prepare_any(inputs)


def _prepare_any(inputs):
    """``_prepare`` for any inputs: one loop over them, then a cast if their dtypes differ."""
    inputs, values, needs, versions = list(inputs), [], [], []  # values: each input's ndarray or number
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            values.append(x.data)
            needs.append(x.requires_grad)
            versions.append(x._version_counter[0])
            continue
        if not isinstance(x, np.ndarray) and not is_scalar(x):
            inputs[i] = x = as_array(x)  # a nested list
        values.append(x)
        needs.append(False)
    dtype = getattr(values[0], "dtype", None)
    for value in values:
        if type(value) is not np.ndarray or value.dtype is not dtype:
            _to_common_dtype(inputs, values)  # a number, or arrays of different dtypes
            break
    return inputs, values, (tuple(needs) if versions else None), versions


def _to_common_dtype(inputs, values):
    """Numbers become arrays of the op's dtype (in ``inputs`` too); arrays are cast to it."""
    arrays = [v for v in values if type(v) is np.ndarray]
    dtype = result_dtype(arrays, [v for v in values if type(v) is not np.ndarray])
    for i, value in enumerate(values):
        if type(value) is not np.ndarray:
            inputs[i] = values[i] = np.asarray(value, dtype)
        elif value.dtype != dtype:
            values[i] = value.astype(dtype)


# --- the backward pass ---------------------------------------------------------------------


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor that needs a gradient and leads to ``roots``, each after all that use it.

    This is the order ``backward`` visits them in: a node is always made after the nodes
    of its inputs, so the reachable tensors sorted by their node's creation number,
    newest first, are in topological order; leaves go last. Iterative (an explicit stack,
    not recursion), so a graph 100,000 ops deep is fine.
    """
    found, stack = {}, [root for root in roots if root.requires_grad]
    while stack:
        tensor = stack.pop()
        if id(tensor) in found:
            continue
        found[id(tensor)] = tensor
        node = tensor._node
        if node is not None:
            _check_saved(node, tensor)
            stack.extend(x for x, need in zip(node.inputs, node.needs) if need and id(x) not in found)
    return sorted(found.values(), key=_visiting_order)


def _visiting_order(tensor):
    """Backward's order as a sort key: the newest node first, leaves (0) last."""
    return 0 if tensor._node is None else -tensor._node.sequence


def run_backward(roots, root_grads, retain_graph, create_graph=False, capture=None):
    """Propagate ``root_grads`` from ``roots`` to the leaves, in ``topological_order``.

    Op outputs wait in a heap keyed by ``_visiting_order``, so by the time a tensor comes
    out every op that used it has passed its gradient back. Leaves wait in a list and take
    their gradients after every node has run, so a failure on the way changes no ``.grad``.

    Without ``capture`` the leaves' gradients are accumulated into their ``.grad``; with it
    (a set of tensor ids) the gradients of those tensors are returned as a dict id -> grad.
    """
    grads, waiting, leaves, captured = {}, [], [], {}
    for root, g in zip(roots, root_grads):
        _send(root, g, grads, waiting, leaves)
    settings = _settings()
    observers = settings.observers
    grad_was_enabled, settings.grad_enabled = settings.grad_enabled, create_graph  # rules record only for create_graph
    try:
        while waiting:
            _, key, tensor = heappop(waiting)
            g = grads.pop(key)
            if tensor._hooks:
                g = _run_hooks(tensor, g)
            if capture is not None and key in capture:
                captured[key] = g
            node = tensor._node
            if node.inputs is None or node.saves_tensors and node.writes_seen != writes_so_far[0]:
                _check_saved(node, tensor)  # freed, or something was written in place since the node was made
            if create_graph:
                in_grads = node.backward(g, tensor, *node.inputs)
            else:
                in_grads = node.backward(g, tensor.data, *node.arrays)
            for x, need, gx in zip(node.inputs, node.needs, in_grads):
                if need:
                    _send(x, gx, grads, waiting, leaves)
            for observer in observers:
                observer.backward(node, tensor, g, in_grads)
            if not retain_graph and node.saves_tensors:
                node.inputs = node.arrays = None  # free what this node saved, and the graph above it
    finally:
        settings.grad_enabled = grad_was_enabled
    _hand_to_leaves(leaves, grads, capture, captured)
    return captured


def _send(x, g, grads, waiting, leaves):
    """Add gradient ``g`` to what ``x`` has received; the first one puts ``x`` in line to be visited."""
    if g is None:
        return
    data = x.data
    if g.shape != data.shape:
        g = sum_to(g, data.shape)  # undo broadcasting: one helper for every op
    if g.dtype is not data.dtype and g.dtype != data.dtype:
        g = g.astype(data.dtype)
    key = id(x)
    if key in grads:
        grads[key] = grads[key] + g  # x is used more than once: its gradients add up
    else:
        grads[key] = g
        if x._node is None:
            leaves.append(x)
        else:
            heappush(waiting, (-x._node.sequence, key, x))  # _visiting_order(x)


def _run_hooks(tensor, g):
    """``g`` after each of ``tensor``'s hooks (``register_hook``, ``retain_grad``) has seen it."""
    for hook in list(tensor._hooks.values()):
        replaced = hook(g)
        if replaced is not None:
            g = replaced
    return g


def _hand_to_leaves(leaves, grads, capture, captured):
    """Give each leaf its total gradient: into ``.grad``, or into ``captured`` for ``grad()``."""
    handed = set()  # ids of the arrays already given to a leaf
    for leaf in leaves:
        g = grads.pop(id(leaf))
        if leaf._hooks:
            g = _run_hooks(leaf, g)
        if capture is None:
            _accumulate(leaf, g, handed)
        elif id(leaf) in capture:
            captured[id(leaf)] = g


def _accumulate(leaf, g, handed):
    """``leaf.grad += g``, never sharing one array between two ``.grad`` attributes."""
    g = np.asarray(g.data if isinstance(g, Tensor) else g, dtype=leaf.data.dtype)
    if leaf.grad is None:
        # A gradient may be a view of another array (a broadcast, a transpose), or the same
        # array as another leaf's (a + b passes one gradient to both): copy those.
        if g.base is not None or id(g) in handed or not g.flags.writeable:
            g = g.copy()
        handed.add(id(g))
        leaf.grad = g
    else:
        leaf.grad += g


def _check_saved(node, output):
    """Raise if ``node``'s saved values were freed, or changed in place since it saved them."""
    if node.inputs is None:
        raise RuntimeError(
            f"Trying to backward through the graph a second time (through {node.name}), but its saved "
            "values were freed by the first backward. Specify retain_graph=True on the first "
            "backward() (or mg.grad) to keep them."
        )
    if not node.saves_tensors:
        return
    saved = [(f"input {i}", x) for i, x in enumerate(node.inputs) if isinstance(x, Tensor)] + [("output", output)]
    for (what, tensor), version in zip(saved, [*node.versions, node.output_version]):
        if tensor._version != version:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an in-place "
                f"operation: the {what} of {node.name}, of shape {tensor.shape}, is at version "
                f"{tensor._version}; {node.name} saved it at version {version}. Do the in-place change "
                "after backward, or use the out-of-place op (x = x + y instead of x += y)."
            )


def _as_gradient(output, gradient, create_graph):
    """The gradient that starts backward at ``output``: ones for a one-element tensor."""
    if gradient is None:
        if output.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this output has "
                f"shape {output.shape}, so pass a gradient of that shape"
            )
        g = np.ones(output.shape, dtype=output.dtype)
    else:
        g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if g.shape != output.shape:
            raise ValueError(f"gradient has shape {g.shape}, but the output it is for has shape {output.shape}")
        g = np.array(g, dtype=output.dtype)  # a copy: backward never writes into the caller's array
    return Tensor(g) if create_graph else g


def backward(output: Tensor, gradient: TensorOrArray | None = None, retain_graph: bool = False) -> None:
    """Accumulate the gradient of ``output`` into the ``.grad`` of every leaf it depends on.

    ``gradient`` is d(loss)/d(output) and may be omitted for a one-element output.
    After this the graph's saved values are freed unless ``retain_graph=True``.
    """
    if not output.requires_grad:
        raise RuntimeError(
            "this tensor does not require grad and has no graph to differentiate: "
            "make a leaf with requires_grad=True and compute the output from it"
        )
    run_backward([output], [_as_gradient(output, gradient, False)], retain_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorOrArray | Sequence[TensorOrArray | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple of Tensors.

    Like ``torch.autograd.grad``: ``.grad`` attributes are left alone. With
    ``create_graph=True`` the results are themselves differentiable, which gives
    second derivatives (Hessian-vector products, gradient penalties).
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"input {i} does not require grad, so it has no gradient")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"output {i} does not require grad and has no graph to differentiate")
    root_grads = [_as_gradient(o, g, create_graph) for o, g in zip(outputs, grad_outputs)]
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(outputs, root_grads, retain_graph, create_graph, capture={id(t) for t in inputs})
    results = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"input {i} was not used to compute the outputs; pass allow_unused=True to get None for it"
            )
        results.append(g if g is None or isinstance(g, Tensor) else Tensor._from_op(g))
    return tuple(results)


# Imported last: the ops are built on Function, defined above.
from .ops.shape import sum_to  # noqa: E402
