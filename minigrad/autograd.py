"""The engine: graph nodes, the iterative topological order, backward, grad and no_grad.

Every differentiable op is a small ``Function`` subclass with a ``forward`` on
ndarrays and a ``backward`` that turns the gradient of the output into the
gradients of the inputs (a vector-Jacobian product). Calling an op on Tensors
that need gradients makes a new Function object, the graph node: it remembers
its inputs, and the output Tensor points back to it. ``backward()`` walks those
nodes from the output to the leaves in reverse topological order.

Backward rules are written with the same ops they differentiate. During an
ordinary ``backward()`` they are called on plain ndarrays, so they are plain
NumPy; under ``grad(..., create_graph=True)`` they are called on Tensors, so the
gradient is itself recorded as a graph and can be differentiated again.
"""

import functools
import itertools
from heapq import heappop, heappush

import numpy as np

from .tensor import DEFAULT_FLOAT, Tensor

_grad_enabled = True
_anomaly_enabled = False  # set by debug.detect_anomaly
_active_trace = None  # set by debug.trace


def is_grad_enabled():
    """True when ops record the graph (the default)."""
    return _grad_enabled


class _GradMode:
    """Sets whether ops record the graph inside a ``with`` block or a decorated function."""

    enabled = True

    def __new__(cls, *args):
        if len(args) == 1 and callable(args[0]):  # used bare as a decorator: @mg.no_grad
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.enabled

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.previous

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


# --- dtypes: PyTorch's promotion rules ----------------------------------------------


def _is_scalar(value):
    return isinstance(value, (bool, int, float, complex, np.generic))


def _scalar_dtype(value, base):
    """The dtype a scalar takes next to arrays of dtype ``base`` (None if there are none)."""
    if isinstance(value, (bool, np.bool_)):
        return base if base is not None else np.dtype(bool)
    if isinstance(value, (int, np.integer)):
        return base if base is not None and base.kind != "b" else np.dtype(np.int64)
    if isinstance(value, (float, np.floating)):
        return base if base is not None and base.kind in "fc" else DEFAULT_FLOAT
    return np.result_type(base, np.asarray(value).dtype) if base is not None else np.asarray(value).dtype


def result_dtype(values):
    """The dtype of an op on ``values``, like PyTorch: a float beats an integer, a scalar never widens."""
    arrays = [v.dtype for v in values if not _is_scalar(v)]
    floats = [d for d in arrays if d.kind in "fc"]
    dtype = np.result_type(*(floats or arrays)) if arrays else None
    for v in values:
        if _is_scalar(v):
            dtype = _scalar_dtype(v, dtype)
    return dtype


def _prepare(inputs):
    """The inputs (scalars and lists made arrays), the arrays forward computes with, in one
    dtype, and which inputs need a gradient (a tuple of bools, or None when no input is a
    Tensor: then the op is plain NumPy, as inside a backward rule).

    The two common cases come first and convert nothing: Tensors of one dtype, and a
    float Tensor with a Python number (NumPy keeps the Tensor's dtype for those).
    """
    first, count = inputs[0], len(inputs)
    if count == 2:
        second = inputs[1]
        if isinstance(first, Tensor):
            if isinstance(second, Tensor):
                if first.data.dtype is second.data.dtype:
                    return inputs, (first.data, second.data), _NEEDS_TWO[first.requires_grad][second.requires_grad]
            elif type(second) in (float, int) and first.data.dtype.kind == "f":
                return inputs, (first.data, second), _NEEDS_TWO[first.requires_grad][False]
        elif isinstance(second, Tensor) and type(first) in (float, int) and second.data.dtype.kind == "f":
            return inputs, (first, second.data), _NEEDS_TWO[False][second.requires_grad]
    elif count == 1:
        if isinstance(first, Tensor):
            return inputs, (first.data,), _NEEDS_ONE[first.requires_grad]
        first = first if isinstance(first, np.ndarray) else as_constant(first)
        return (first,), (first,), None
    arrays, needs, tensors = [], [], 0
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x.data)
            needs.append(x.requires_grad)
            tensors += 1
        else:
            arrays.append(x)
            needs.append(False)
    needs = tuple(needs) if tensors else None
    dtype = getattr(arrays[0], "dtype", None)
    for array in arrays:
        if type(array) is not np.ndarray or array.dtype != dtype:
            break
    else:
        return inputs, tuple(arrays), needs  # arrays and Tensors of one dtype
    inputs = tuple(x if isinstance(x, (Tensor, np.ndarray)) or _is_scalar(x) else as_constant(x) for x in inputs)
    dtype = result_dtype(inputs)
    inputs = tuple(np.asarray(x, dtype=dtype) if _is_scalar(x) else x for x in inputs)
    return inputs, tuple(_data(x, dtype) for x in inputs), needs


# Shared needs-tuples, picked by indexing with bools, so making a node allocates none.
_NEEDS_ONE = ((False,), (True,))
_NEEDS_TWO = (((False, False), (False, True)), ((True, False), (True, True)))


def as_constant(value):
    """A non-Tensor input (list, scalar, ndarray) as an ndarray, Python floats as float32."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        raise TypeError("a list of Tensors is not one input; use mg.stack or mg.concatenate")
    array = np.asarray(value)
    if array.dtype == np.float64 and not isinstance(value, (np.ndarray, np.generic)):
        array = array.astype(DEFAULT_FLOAT)
    return array


def _data(x, dtype):
    """The ndarray of an input, cast to the op's common dtype."""
    array = x.data if isinstance(x, Tensor) else x
    return array if array.dtype == dtype else array.astype(dtype)


# --- graph nodes ----------------------------------------------------------------------

_new_tensor = object.__new__
_creation_order = itertools.count(1)  # numbers the nodes as they are made: 1, 2, 3, ...


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

    # Does backward read the inputs or the output? Then they count as saved, and a
    # second backward through this node needs ``retain_graph=True``.
    saves_tensors = True

    def __call__(self, *inputs):
        inputs, arrays, needs = _prepare(inputs)
        out = self.forward(*arrays)
        if needs is None:
            return out  # called on ndarrays (as inside backward): plain NumPy
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # NumPy gives 0-d results as scalars
        if _anomaly_enabled:
            from .debug import check_forward

            check_forward(self, out)
        tensor = _new_tensor(Tensor)  # Tensor._from_op written out: this line runs once per op
        tensor.data, tensor.grad = out, None
        if _grad_enabled and True in needs:
            self.inputs, self.arrays, self.needs = inputs, arrays, needs
            self.sequence = next(_creation_order)  # later than every input's node
            tensor.requires_grad, tensor._node = True, self
        else:
            tensor.requires_grad, tensor._node = False, None
        return tensor

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad, out, *inputs):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    @property
    def name(self):
        """The op's name, as traces and graphs show it."""
        return type(self).__name__


def _freed_error(node):
    return RuntimeError(
        f"Trying to backward through the graph a second time (through {node.name}), but its saved "
        "values were freed by the first backward. Specify retain_graph=True on the first "
        "backward() (or mg.grad) to keep them."
    )


def topological_order(roots):
    """Every tensor that needs a gradient and leads to ``roots``, each after all that use it.

    This is the order ``backward`` visits them in (see ``run_backward``), as a list to inspect.

    A node is always made after the nodes of its inputs, so sorting the reachable
    nodes by creation number, newest first, is a topological order; leaves go last.
    Finding them uses an explicit stack, not recursion: a graph 100,000 ops deep is fine.
    """
    found, stack = {}, [root for root in roots if root.requires_grad]
    while stack:
        tensor = stack.pop()
        if id(tensor) in found:
            continue
        found[id(tensor)] = tensor
        node = tensor._node
        if node is not None:
            if node.inputs is None:
                raise _freed_error(node)
            for x, need in zip(node.inputs, node.needs):
                if need and id(x) not in found:
                    stack.append(x)
    return sorted(found.values(), key=_newest_first)


def _newest_first(tensor):
    return 0 if tensor._node is None else -tensor._node.sequence  # leaves (0) after every node


def run_backward(roots, root_grads, retain_graph, create_graph=False, capture=None):
    """Propagate ``root_grads`` from ``roots`` to the leaves.

    Op outputs wait in a heap keyed by their node's creation number and leave it newest
    first, which is a topological order: by the time a tensor comes out, every op that
    used it has passed its gradient back. Leaves wait in a list and take their gradients
    only after every node has run, so a failure on the way (a freed node) leaves every
    ``.grad`` as it was.

    Without ``capture`` the gradients are accumulated into the leaves' ``.grad``;
    with it (a set of tensor ids) they are returned in a dict, id -> gradient,
    for those tensors only, and ``.grad`` is left alone.
    """
    grads = {}  # id(tensor) -> the sum of the gradients it has received so far
    waiting = []  # (-creation number, id, tensor): a heap of op outputs, newest node first
    leaves = []  # the leaves that have received a gradient, in that order
    for root, g in zip(roots, root_grads):
        if id(root) in grads:
            grads[id(root)] = grads[id(root)] + g
        else:
            grads[id(root)] = g
            if root._node is None:
                leaves.append(root)
            else:
                heappush(waiting, (-root._node.sequence, id(root), root))
    captured = {}
    tracer = _active_trace
    global _grad_enabled
    grad_was_enabled, _grad_enabled = _grad_enabled, create_graph  # backward rules record only for create_graph
    try:
        while waiting:
            _, key, tensor = heappop(waiting)
            g = grads.pop(key)
            if capture is not None and key in capture:
                captured[key] = g
            node = tensor._node
            inputs = node.inputs
            if inputs is None:
                raise _freed_error(node)
            if create_graph:
                in_grads = node.backward(g, tensor, *inputs)
            else:
                in_grads = node.backward(g, tensor.data, *node.arrays)
            for x, need, gx in zip(inputs, node.needs, in_grads):
                if need and gx is not None:
                    data = x.data
                    if gx.shape != data.shape:
                        gx = sum_to(gx, data.shape)  # undo broadcasting: one helper for every op
                    if gx.dtype is not data.dtype and gx.dtype != data.dtype:
                        gx = gx.astype(data.dtype)
                    key = id(x)
                    if key in grads:
                        grads[key] = grads[key] + gx  # x is used more than once: its gradients add up
                    elif x._node is None:  # a leaf's first gradient
                        grads[key] = gx
                        leaves.append(x)
                    else:  # an op output's first gradient: it starts waiting for its turn
                        grads[key] = gx
                        heappush(waiting, (-x._node.sequence, key, x))
            if _anomaly_enabled:
                from .debug import check_backward

                check_backward(node, in_grads, node.needs)
            if tracer is not None:
                tracer.record(tensor, g, node, in_grads)
            if not retain_graph and node.saves_tensors:
                node.inputs = node.arrays = None  # free what this node saved, and the graph above it
    finally:
        _grad_enabled = grad_was_enabled
    handed_to_leaves = set()
    for leaf in leaves:
        g = grads.pop(id(leaf))
        if capture is None:
            _accumulate_into_leaf(leaf, g, handed_to_leaves)
        elif id(leaf) in capture:
            captured[id(leaf)] = g
    return captured


def _accumulate_into_leaf(leaf, g, handed_to_leaves):
    """``leaf.grad += g``, never sharing one array between two ``.grad`` attributes."""
    if isinstance(g, Tensor):
        g = g.data
    if type(g) is not np.ndarray:
        g = np.array(g, dtype=leaf.data.dtype)  # a NumPy scalar (0-d results come as scalars)
    if leaf.grad is None:
        # A gradient may be a view of another array (a broadcast, a transpose), or the same
        # array as another leaf's (a + b passes one gradient to both): copy those.
        if g.base is not None or id(g) in handed_to_leaves or not g.flags.writeable:
            g = g.copy()
        handed_to_leaves.add(id(g))
        leaf.grad = g
    else:
        leaf.grad += g


def _as_gradient(output, gradient, create_graph):
    """The gradient that starts backward at ``output``: ones for a one-element tensor."""
    if gradient is None:
        data = output.data
        if data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this output has "
                f"shape {data.shape}, so pass a gradient of that shape"
            )
        g = np.array(1, dtype=data.dtype).reshape(data.shape)  # ones, without np.ones's Python detour
    else:
        g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if g.shape != output.shape:
            raise ValueError(f"gradient has shape {g.shape}, but the output it is for has shape {output.shape}")
        g = np.array(g, dtype=output.dtype)  # a copy: backward never writes into the caller's array
    return Tensor(g) if create_graph else g


def backward(output, gradient=None, retain_graph=False):
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


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple of Tensors.

    Like ``torch.autograd.grad``: ``.grad`` attributes are left alone. With
    ``create_graph=True`` the results are themselves differentiable, which gives
    second derivatives (Hessian-vector products, gradient penalties).
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single_input = isinstance(inputs, Tensor)
    inputs = [inputs] if single_input else list(inputs)
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
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._from_op(g)
        results.append(g)
    return tuple(results)


# Imported last: these modules are built on what this one defines above.
from .debug import detect_anomaly, trace  # noqa: E402,F401  (mg.autograd.trace, mg.detect_anomaly)
from .ops.shape import sum_to  # noqa: E402
