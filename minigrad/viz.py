"""See the graph: the ops that produced a tensor as Graphviz DOT text.

    print(mg.viz.to_dot(loss))                 # paste into any Graphviz viewer
    mg.viz.render(loss, "graph.svg")           # needs Graphviz's `dot` program

One box per op (its name, output shape and dtype), one oval per leaf or constant
input; leaves that require grad are filled and say so. Edges go from inputs to
the op that used them, so the picture reads top (inputs) to bottom (output).
No dependency on Graphviz: ``to_dot`` only builds text.
"""

import shutil
import subprocess

import numpy as np

from . import autograd
from .debug import SMALL, name_table, small_values, trace
from .tensor import Tensor

_LEAF_COLOUR = "lightblue"
_CONSTANT_COLOUR = "grey92"


def _quote(text):
    """A DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(*lines):
    """A multi-line DOT label: lines joined by DOT's \\n."""
    return "\\n".join(_quote(line)[1:-1] for line in lines if line)


def _describe(array):
    return f"{tuple(np.shape(array))} {np.asarray(array).dtype}"


def _grad_line(grad, prefix="grad", show_values=False):
    if show_values and np.size(grad) <= SMALL:
        return f"{prefix} {small_values(grad)}"
    return f"{prefix} {tuple(grad.shape)} |g|={np.linalg.norm(np.ravel(grad)):.4g}"


def _data_line(array, show_values):
    """The values of a small array (for ``show_values=True``), else nothing."""
    return f"data {small_values(array)}" if show_values and np.size(array) <= SMALL else None


def _walk(tensor):
    """Every tensor and constant reachable from ``tensor``, and the edges between them.

    Returns (items, edges): items in the order found, as (kind, object) with kind
    "op", "freed", "leaf" or "constant"; edges as (id of input, id of output tensor,
    input position). Iterative, so a graph of any depth is fine.
    """
    items, edges, seen = [], [], set()
    stack = [tensor]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        node = t._node
        if node is None:
            items.append(("leaf", t))
            continue
        if node.inputs is None:
            items.append(("freed", t))
            continue
        items.append(("op", t))
        for position, x in enumerate(node.inputs):
            edges.append((id(x), id(t), position))
            if isinstance(x, Tensor):
                stack.append(x)
            elif id(x) not in seen:
                seen.add(id(x))
                items.append(("constant", x))
    return items, edges


def _traced_gradients(tensor, items):
    """d tensor / d (every node and leaf), by a traced backward that leaves ``.grad`` alone.

    Returns (dict id -> gradient, None), or (None, the reason it is not possible).
    """
    leaves = [t for kind, t in items if kind == "leaf" and t.requires_grad]
    if any(kind == "freed" for kind, _ in items):
        return None, "the graph was freed by backward (use retain_graph=True)"
    if not leaves:
        return None, "nothing in this graph requires grad"
    if tensor.size != 1:
        return None, f"the output has shape {tensor.shape}, not one element"
    with trace() as t:
        leaf_grads = autograd.grad(tensor, leaves, retain_graph=True, allow_unused=True)
    grads = {id(step.output): step.grad for step in t.steps}
    grads.update({id(leaf): g.data for leaf, g in zip(leaves, leaf_grads) if g is not None})
    return grads, None


def to_dot(tensor, show_grads=False, names=None, show_values=False):
    """The graph that produced ``tensor`` as Graphviz DOT text (no Graphviz needed to make it).

    Each op is a box with its name, output shape and dtype; each leaf or constant input
    an oval; leaves that require grad are filled and labelled "requires_grad". Edges run
    from inputs to the op that used them, numbered when the op has several inputs.
    ``names`` (a dict name -> tensor, or ``model.named_parameters()``) labels leaves.

    With ``show_grads=True`` nodes also show their gradient's shape and norm: for a
    one-element ``tensor`` whose graph is still there (``backward(retain_graph=True)``,
    or before any backward) every node shows d tensor / d node, computed by a traced
    backward that leaves ``.grad`` untouched; otherwise leaves show their ``.grad``.
    Ops whose saved values a backward freed are drawn dashed and marked "freed".

    ``show_values=True`` (which implies ``show_grads``) writes out the data and the gradient
    of every node with at most ``debug.SMALL`` elements, like micrograd's pictures.
    """
    show_grads = show_grads or show_values
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot needs a Tensor, got {type(tensor).__name__}")
    names = name_table(names)
    items, edges = _walk(tensor)
    grads, why = _traced_gradients(tensor, items) if show_grads else (None, None)
    ids = {id(obj): f"n{k}" for k, (_, obj) in enumerate(items)}

    lines = [
        "digraph minigrad {",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for kind, obj in items:
        label, style = _node_label(kind, obj, names, grads, show_grads, show_values)
        if obj is tensor:
            style += ", penwidth=2"
            label = "output: " + label
        lines.append(f'  {ids[id(obj)]} [label="{label}", {style}];')
    several_inputs = {}
    for _, out_id, _position in edges:
        several_inputs[out_id] = several_inputs.get(out_id, 0) + 1
    for in_id, out_id, position in edges:
        # xlabel, not label: Graphviz lays out edge labels as extra nodes, which is slow
        extra = f' [xlabel="{position}"]' if several_inputs[out_id] > 1 else ""
        lines.append(f"  {ids[in_id]} -> {ids[out_id]}{extra};")
    if show_grads and grads is None:
        lines.append(f'  label="{_label("gradients of intermediate nodes not shown: " + why)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_label(kind, obj, names, grads, show_grads, show_values=False):
    """The label text and the DOT attributes of one item of the graph."""
    if kind == "constant":
        text = _label("constant", _describe(obj), _data_line(obj, show_values))
        return text, f'shape=ellipse, style=filled, fillcolor="{_CONSTANT_COLOUR}"'
    grad_line = None
    if grads is not None and id(obj) in grads:
        grad_line = _grad_line(grads[id(obj)], show_values=show_values)
    data_line = _data_line(obj.data, show_values)
    if kind == "leaf":
        name = names.get(id(obj), ("leaf",))[0]
        if show_grads and grads is None and obj.grad is not None:
            grad_line = _grad_line(obj.grad, ".grad", show_values)
        if obj.requires_grad:
            text = _label(name, _describe(obj.data), data_line, "requires_grad", grad_line)
            return text, f'shape=ellipse, style=filled, fillcolor="{_LEAF_COLOUR}"'
        return _label(name if name != "leaf" else "tensor", _describe(obj.data), data_line), "shape=ellipse"
    op = obj._node.name
    if kind == "freed":
        text = _label(op, _describe(obj.data), "inputs freed by backward", "(retain_graph=True keeps them)")
        return text, "shape=box, style=dashed"
    return _label(op, _describe(obj.data), data_line, grad_line), 'shape=box, style="rounded"'


def render(tensor_or_dot, path, format="svg"):
    """Draw a graph (a Tensor, or DOT text from ``to_dot``) into ``path`` with Graphviz's ``dot``.

    ``format`` is any output format ``dot`` knows: "svg", "png", "pdf", ... Returns ``path``.
    Raises RuntimeError if the ``dot`` program is not installed. ``dot`` itself gets slow
    on graphs of more than a few thousand nodes; draw a small model or a few steps.
    """
    dot_text = to_dot(tensor_or_dot) if isinstance(tensor_or_dot, Tensor) else str(tensor_or_dot)
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError(
            "mg.viz.render needs Graphviz's `dot` program, which is not on PATH. Install Graphviz "
            "(`apt-get install graphviz` on Debian/Ubuntu, `brew install graphviz` on macOS, or see "
            "https://graphviz.org/download/), or paste the text of mg.viz.to_dot(tensor) into any "
            "Graphviz viewer (for example an online one)."
        )
    result = subprocess.run([program, f"-T{format}", "-o", str(path)], input=dot_text, capture_output=True, text=True)
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}, no message"
        if result.returncode < 0:
            detail += " (dot crashed: it runs out of stack on graphs hundreds of ops deep; draw a smaller one)"
        raise RuntimeError(f"Graphviz's dot failed to draw {path} as {format}: {detail}")
    return path
