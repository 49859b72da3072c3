"""viz: the graph as DOT text (valid, complete, readable) and drawing it with Graphviz."""

import re
import shutil

import numpy as np
import pytest

import minigrad as mg
from minigrad import viz

NODE = re.compile(r'^\s*(n\d+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
EDGE = re.compile(r"^\s*(n\d+) -> (n\d+)( \[.*\])?;$")


def parse_dot(text):
    """Check the DOT text's structure; return {node id: (label lines, attributes)} and the edges."""
    assert text.startswith("digraph minigrad {")
    depth = 0
    for line in text.splitlines():  # braces balance, ignoring any inside quoted labels
        line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        depth += line.count("{") - line.count("}")
        assert depth >= 0
    assert depth == 0
    nodes, edges = {}, []
    for line in text.splitlines():
        if m := NODE.match(line):
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = (m.group(2).split("\\n"), m.group(3))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
    for a, b in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} has an undeclared end"
    return nodes, edges


def labelled(nodes, first_line):
    return [(lines, attrs) for lines, attrs in nodes.values() if lines[0].removeprefix("output: ") == first_line]


def small_graph():
    x = mg.tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    w = mg.tensor(np.ones((2, 3)), requires_grad=True)
    b = mg.tensor(np.zeros(3))  # an input that does not require grad
    f = ((x @ w + b).relu() * 2.0).sum()
    return x, w, b, f


def test_dot_names_every_op_with_its_shape_and_dtype():
    x, w, b, f = small_graph()
    nodes, edges = parse_dot(viz.to_dot(f))
    shapes = {"MatMul": "(4, 3)", "Add": "(4, 3)", "Relu": "(4, 3)", "Mul": "(4, 3)", "Sum": "()"}
    for op, shape in shapes.items():
        ((lines, attrs),) = labelled(nodes, op)
        assert lines[1] == f"{shape} float64"
        assert "shape=box" in attrs
    assert len(edges) == 8  # x, w -> MatMul; MatMul, b -> Add; Add -> Relu; Relu, 2.0 -> Mul; Mul -> Sum
    assert len(nodes) == 9  # 5 ops, 2 leaves, b, the constant 2.0


def test_dot_marks_the_leaves_that_require_grad():
    x, w, b, f = small_graph()
    nodes, _ = parse_dot(viz.to_dot(f, names={"x": x, "w": w, "b": b}))
    marked = {lines[0] for lines, attrs in nodes.values() if "requires_grad" in lines}
    assert marked == {"x", "w"}
    for name in ("x", "w"):
        ((lines, attrs),) = labelled(nodes, name)
        assert "style=filled" in attrs
    ((lines, attrs),) = labelled(nodes, "b")
    assert "requires_grad" not in lines and "filled" not in attrs
    ((lines, _),) = labelled(nodes, "constant")
    assert lines[1] == "() float64"


def test_edges_run_from_inputs_to_the_op_and_number_the_inputs():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0], requires_grad=True)
    text = viz.to_dot(a - c, names={"a": a, "c": c})
    nodes, edges = parse_dot(text)
    ids = {lines[0].removeprefix("output: "): n for n, (lines, _) in nodes.items()}
    assert set(edges) == {(ids["a"], ids["Sub"]), (ids["c"], ids["Sub"])}
    assert f'{ids["a"]} -> {ids["Sub"]} [xlabel="0"];' in text
    assert f'{ids["c"]} -> {ids["Sub"]} [xlabel="1"];' in text


def test_a_tensor_used_twice_is_one_node():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    nodes, edges = parse_dot(viz.to_dot(y + y))
    assert len(nodes) == 3 and len(edges) == 4


def test_dot_survives_a_freed_graph():
    x, w, b, f = small_graph()
    f.backward()
    nodes, edges = parse_dot(viz.to_dot(f))
    freed = [lines for lines, attrs in nodes.values() if "inputs freed by backward" in lines]
    assert freed and all("style=dashed" in attrs for lines, attrs in nodes.values() if lines in freed)
    assert any(lines[0] == "output: Sum" for lines, _ in nodes.values())


def test_dot_of_a_10000_op_chain():
    x = mg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y + 1.0
    nodes, edges = parse_dot(viz.to_dot(y))
    assert len(labelled(nodes, "Add")) == 10_000
    assert len(edges) == 20_000


def test_dot_of_a_leaf_alone():
    nodes, edges = parse_dot(viz.to_dot(mg.tensor([1.0, 2.0], requires_grad=True)))
    assert len(nodes) == 1 and edges == []


def test_show_grads_traces_every_node_and_leaves_grad_alone():
    x = mg.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    f = (x * 3.0).relu().sum()  # d f/d(x*3) = [[1, 0], [1, 1]], d f/dx = 3 times that
    nodes, _ = parse_dot(viz.to_dot(f, show_grads=True, names={"x": x}))
    assert x.grad is None  # the traced backward did not touch .grad
    ((lines, _),) = labelled(nodes, "x")
    assert lines[-1] == f"grad (2, 2) |g|={np.sqrt(27):.4g}"
    ((lines, _),) = labelled(nodes, "Mul")
    assert lines[-1] == f"grad (2, 2) |g|={np.sqrt(3):.4g}"
    ((lines, _),) = labelled(nodes, "Sum")
    assert lines[-1] == "grad () |g|=1"
    f.backward()  # the graph is still there: show_grads retained it
    assert x.grad.tolist() == [[3.0, 0.0], [3.0, 3.0]]


def test_show_grads_after_a_freeing_backward_shows_the_leaf_grad():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    f = (x * x).sum() + x.sum()  # Mul frees its inputs; Sum and Add keep theirs, so x is still reachable
    f.backward()
    text = viz.to_dot(f, show_grads=True, names={"x": x})
    nodes, _ = parse_dot(text)
    assert "graph was freed" in text
    ((lines, _),) = labelled(nodes, "x")
    assert lines[-1] == f".grad (2,) |g|={np.sqrt(34):.4g}"  # 2x + 1 = [3, 5]
    assert x.grad is not None


def test_show_grads_of_a_non_scalar_says_why_intermediate_grads_are_missing():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    text = viz.to_dot(x * 2.0, show_grads=True)
    parse_dot(text)
    assert "the output has shape (2,), not one element" in text


def test_to_dot_needs_a_tensor():
    with pytest.raises(TypeError, match="needs a Tensor"):
        viz.to_dot(np.ones(3))


def test_render_without_graphviz_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    x = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="dot") as err:
        viz.render(x * 2.0, tmp_path / "g.svg")
    message = str(err.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "to_dot" in message
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_draws_an_svg_that_graphviz_accepts(tmp_path):
    x, w, b, f = small_graph()
    path = viz.render(viz.to_dot(f, show_grads=True), tmp_path / "graph.svg")
    assert "<svg" in path.read_text()
