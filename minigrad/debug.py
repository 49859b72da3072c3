"""Debugging tools for learners: catch the first NaN or inf, and trace a backward pass step by step.

    with mg.detect_anomaly():          # the first op that makes NaN/inf raises, saying where
        loss = model(x).sum()
        loss.backward()

    with mg.autograd.trace() as t:     # record every step of backward
        loss.backward()
    print(t)                           # a table: step, op, shapes and gradient norms

Both are observers of the engine (``autograd.Observer``): inside their ``with`` block the
engine calls them after every op and every backward step of this thread; outside it they
cost nothing. The engine does not know them; they sit above it.
"""

import collections
import functools
import linecache
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from .autograd import Observer, observing
from .ops import sum_to
from .tensor import Tensor, to_array

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


# --- where an op was made ---------------------------------------------------------------


class SourceLocation(collections.namedtuple("SourceLocation", "filename lineno function")):
    """A place in the user's code: file, line and function, printed like a traceback line."""

    def __str__(self):
        text = f'File "{self.filename}", line {self.lineno}, in {self.function}'
        code = linecache.getline(self.filename, self.lineno).strip()
        return f"{text}\n      {code}" if code else text


_inside_package = {}  # co_filename -> is it a file of minigrad itself?


def _is_minigrad_file(filename):
    inside = _inside_package.get(filename)
    if inside is None:
        inside = os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep)
        _inside_package[filename] = inside
    return inside


def user_location():
    """The first frame on the call stack outside the minigrad package: where the user called in."""
    frame = sys._getframe(1)
    while frame is not None and _is_minigrad_file(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    return SourceLocation(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


# --- detect_anomaly ------------------------------------------------------------------------


class detect_anomaly(Observer):
    """``with mg.detect_anomaly():`` (or ``@mg.detect_anomaly()``): stop at the first NaN or inf.

    Inside it, every op checks its forward output and, during backward, the gradients
    it computes for its inputs. The first one holding NaN or inf raises RuntimeError
    naming the op, the shapes, and the line of your code that created the op.
    Like ``torch.autograd.detect_anomaly``, but forward outputs are checked too, and
    inf as well as NaN. It slows every op down; use it to hunt a bug, then remove it.
    """

    def __enter__(self):
        self._watching = observing(self)
        return self._watching.__enter__()

    def __exit__(self, *exc):
        self._watching.__exit__(*exc)

    def forward(self, op, out):
        check_forward(op, out.data)

    def backward(self, node, output, grad, input_grads):
        check_backward(node, input_grads)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly():
                return fn(*args, **kwargs)

        return wrapper


def _bad_values(array):
    """None if ``array`` is all finite (or not floating), else a phrase like 'NaN (2 of 6 values)'."""
    if isinstance(array, Tensor):
        array = array.data
    array = np.asarray(array)
    if array.dtype.kind not in "fc" or np.isfinite(array).all():
        return None
    nans, infs = int(np.isnan(array).sum()), int(np.isinf(array).sum())
    kinds = " and ".join(kind for kind, count in (("NaN", nans), ("inf", infs)) if count)
    return f"{kinds} ({nans + infs} of {array.size} values)"


def _shape(x):
    return tuple(np.shape(x.data if isinstance(x, Tensor) else x))


def _where_created(op):
    location = getattr(op, "created_at", None)
    if location is None:
        return (
            "  created at: unknown (the op was made before detect_anomaly was switched on; "
            "run the forward pass inside `with mg.detect_anomaly():` to see where)"
        )
    return f"  created at: {location}"


def check_forward(op, out):
    """After each op in anomaly mode: remember where ``op`` was made, check its output ``out``."""
    op.created_at = user_location()
    bad = _bad_values(out)
    if bad is None:
        return
    inputs = getattr(op, "inputs", None)  # recorded when the op is a graph node
    shapes = f"inputs of shape {', '.join(str(_shape(x)) for x in inputs)} -> " if inputs else ""
    raise RuntimeError(
        f"detect_anomaly: the forward output of {op.name} holds {bad}.\n"
        f"  op: {op.name}, {shapes}output of shape {_shape(out)} {np.asarray(out).dtype}\n"
        f"{_where_created(op)}"
    )


def check_backward(node, in_grads):
    """After each backward step in anomaly mode: check the gradients ``node`` passes to its inputs."""
    for index, (need, g) in enumerate(zip(node.needs, in_grads)):
        if not need or g is None:
            continue
        bad = _bad_values(g)
        if bad is None:
            continue
        inputs = node.inputs or ()
        input_shape = _shape(inputs[index]) if index < len(inputs) else "unknown"
        raise RuntimeError(
            f"detect_anomaly: the gradient that {node.name}'s backward computed for its input {index} "
            f"holds {bad}.\n"
            f"  op: {node.name}, input {index} of shape {input_shape}, gradient of shape {_shape(g)}\n"
            f"{_where_created(node)}"
        )


# --- trace ---------------------------------------------------------------------------------


def _norm(array):
    return float(np.linalg.norm(np.ravel(array))) if np.size(array) else 0.0


@dataclass
class InputGradient:
    """The gradient one backward step passed to one of its op's inputs."""

    index: int  # which input of the op (0, 1, ...)
    shape: tuple  # the input's shape, which the gradient is summed back to
    norm: float  # its Euclidean norm
    grad: np.ndarray = field(repr=False)  # the gradient itself
    broadcast_shape: tuple = None  # the shape backward produced, if it was summed back over broadcast axes
    leaf: str = None  # the leaf's name if the input is a leaf, else None


@dataclass
class TraceStep:
    """One node visited by backward: the op, the gradient it received and the ones it passed on."""

    step: int  # 1 for the first node visited
    op: str  # the op's name, e.g. "Mul"
    node: object = field(repr=False)  # the Function (graph node)
    output: Tensor = field(repr=False)  # the tensor the op made
    output_shape: tuple = ()
    grad_norm: float = 0.0  # norm of the gradient the node received (d loss / d output)
    grad: np.ndarray = field(default=None, repr=False)
    inputs: list = field(default_factory=list)  # one InputGradient per input that got a gradient


@dataclass
class LeafGradient:
    """The total gradient one leaf received during the traced backward pass(es)."""

    name: str
    tensor: Tensor = field(repr=False)
    shape: tuple = ()
    norm: float = 0.0
    grad: np.ndarray = field(default=None, repr=False)


def name_table(names):
    """``names`` (a dict name -> tensor, or (name, tensor) pairs like ``model.named_parameters()``)."""
    if names is None:
        return {}
    pairs = names.items() if isinstance(names, dict) else names
    return {id(t): (name, t) for name, t in pairs}


class trace(Observer):
    """``with mg.autograd.trace() as t: loss.backward()`` records the backward pass step by step.

    ``t.steps`` lists the nodes in the order backward visited them (a ``TraceStep`` each:
    op name, output shape, the gradient received and its norm, and an ``InputGradient``
    per input it passed a gradient to); ``t.leaves`` lists the leaves that received
    gradients, with their total. ``print(t)`` shows both as tables, with the values of
    gradients small enough to read (at most ``SMALL`` elements). Pass ``model=model`` (or
    ``names=model.named_parameters()``, or a dict) to label leaves by their parameter names.
    Every backward inside the block (in this thread) is recorded; nested traces each record it.
    """

    def __init__(self, names=None, model=None):
        self.steps = []
        self._names = name_table(model.named_parameters() if model is not None else names)
        self._leaves = {}  # id(leaf) -> LeafGradient, in order of first gradient
        self._unnamed = 0  # unnamed leaves are called #1, #2, ... in order of first gradient

    def __enter__(self):
        self._watching = observing(self)
        return self._watching.__enter__()

    def __exit__(self, *exc):
        self._watching.__exit__(*exc)

    @property
    def leaves(self):
        """The leaves that received gradients, each with the sum of what it received."""
        return list(self._leaves.values())

    def _leaf_name(self, leaf):
        known = self._names.get(id(leaf))
        if known is not None:
            return known[0]
        entry = self._leaves.get(id(leaf))
        if entry is not None:
            return entry.name
        self._unnamed += 1
        return f"#{self._unnamed}"

    def backward(self, node, tensor, g, in_grads):
        """After ``node``'s backward: record ``g`` (what it received) and ``in_grads`` (what it passed on)."""
        g = to_array(g)
        step = TraceStep(len(self.steps) + 1, node.name, node, tensor, tuple(tensor.shape), _norm(g), g)
        for index, (x, need, gx) in enumerate(zip(node.inputs, node.needs, in_grads)):
            if not need or gx is None:
                continue
            gx = to_array(gx)
            broadcast_shape = None
            if gx.shape != x.shape:  # what the engine does next: sum back over broadcast axes
                broadcast_shape, gx = gx.shape, sum_to(gx, x.shape)
            if gx.dtype != x.dtype:
                gx = gx.astype(x.dtype)
            leaf = self._leaf_name(x) if x._node is None else None
            step.inputs.append(InputGradient(index, tuple(x.shape), _norm(gx), gx, broadcast_shape, leaf))
            if leaf is not None:
                self._add_to_leaf(x, leaf, gx)
        self.steps.append(step)

    def _add_to_leaf(self, leaf, name, gx):
        entry = self._leaves.get(id(leaf))
        total = gx.copy() if entry is None else entry.grad + gx
        self._leaves[id(leaf)] = LeafGradient(name, leaf, tuple(leaf.shape), _norm(total), total)

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __repr__(self):
        return f"<trace of {len(self.steps)} backward steps, {len(self._leaves)} leaves>"

    def __str__(self):
        if not self.steps:
            return "backward trace: nothing recorded (was backward() called inside the `with` block?)"
        rows = [("step", "op", "output shape", "|grad in|", "to input", "shape", "|grad out|", "note")]
        for s in self.steps:
            first = (str(s.step), s.op, str(s.output_shape), f"{s.grad_norm:.4g}")
            if not s.inputs:
                rows.append(first + ("-", "", "", "no input needs a gradient"))
            for k, i in enumerate(s.inputs):
                notes = []
                if i.leaf is not None:
                    notes.append(f"leaf {i.leaf}")
                if i.broadcast_shape is not None:
                    notes.append(f"summed back from {i.broadcast_shape}")
                if i.grad.size <= SMALL:
                    notes.append(f"= {small_values(i.grad)}")
                rows.append(
                    (first if k == 0 else ("",) * 4) + (f"[{i.index}]", str(i.shape), f"{i.norm:.4g}", "; ".join(notes))
                )
        lines = [
            f"backward trace: {len(self.steps)} steps, in the order visited (|g| is a gradient's norm)",
            *_table(rows, numeric=(0, 3, 6)),
        ]
        leaves = [("leaf", "shape", "|grad|", "grad")]
        leaves += [
            (leaf.name, str(leaf.shape), f"{leaf.norm:.4g}", small_values(leaf.grad) if leaf.grad.size <= SMALL else "")
            for leaf in self._leaves.values()
        ]
        lines += ["", f"leaves that received gradients: {len(self._leaves)}", *_table(leaves, numeric=(2,))]
        return "\n".join(lines)


SMALL = 4  # gradients of at most this many elements are shown as values, not just as norms


def small_values(array):
    """A few values, 4 significant digits each: ``[0.5, -1.25]`` (a 0-d array as one number)."""
    array = np.asarray(array)
    text = ", ".join(f"{v:.4g}" for v in array.ravel())
    return text if array.ndim == 0 else f"[{text}]"


def _table(rows, numeric=()):
    """Rows of strings as aligned columns, two spaces apart; the ``numeric`` columns right-aligned."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if c in numeric else cell.ljust(w) for c, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines
