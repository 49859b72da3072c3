"""debug: detect_anomaly (forward and backward, NaN and inf, where the op was made) and autograd.trace."""

import inspect
import os

import numpy as np
import pytest

import minigrad as mg
from minigrad import autograd, viz
from minigrad.debug import detect_anomaly

THIS_FILE = os.path.basename(__file__)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's "invalid value in log" etc.


def next_line():
    """The line number after the caller's current line."""
    return inspect.currentframe().f_back.f_lineno + 1


def test_public_names():
    # minigrad/__init__.py needs: `from .debug import detect_anomaly` and `from . import viz`
    assert getattr(mg, "detect_anomaly", None) is detect_anomaly, "mg.detect_anomaly is not exported"
    assert mg.autograd.trace is autograd.trace
    assert getattr(mg, "viz", None) is viz, "mg.viz is not exported"


# --- detect_anomaly ------------------------------------------------------------------------


def test_anomaly_in_forward_names_the_op_the_shapes_and_the_line():
    x = mg.tensor([1.0, -1.0, 2.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError) as err:
        line = next_line()
        mg.log(x)  # log(-1) is NaN
    message = str(err.value)
    assert "Log" in message and "forward" in message and "NaN (1 of 3 values)" in message
    assert "(3,)" in message
    assert f'{THIS_FILE}", line {line}' in message
    assert "mg.log(x)" in message  # the source line itself


def test_anomaly_made_only_in_backward():
    x = mg.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        line = next_line()
        y = mg.sqrt(x)  # forward is fine: [0, 2]
        assert y.tolist() == [0.0, 2.0]
        with pytest.raises(RuntimeError) as err:
            y.sum().backward()  # d√x/dx = 1/(2√x) is inf at 0
    message = str(err.value)
    assert "Sqrt" in message and "backward" in message and "inf (1 of 2 values)" in message
    assert "input 0 of shape (2,)" in message
    assert f'{THIS_FILE}", line {line}' in message
    assert x.grad is None


def test_inf_in_forward_is_caught_too():
    x = mg.tensor([1000.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError, match=r"Exp holds inf"):
        x.exp()  # e^1000 overflows float32


def test_created_at_points_through_methods_and_modules_to_the_user_line():
    layer = mg.nn.Linear(2, 2)
    x = mg.tensor([[1.0, 2.0]])
    with detect_anomaly():
        line = next_line()
        y = layer(x).tanh()
        created = y._node.created_at
        inner = y._node.inputs[0]._node.created_at
    assert os.path.basename(created.filename) == THIS_FILE and created.lineno == line
    assert inner.lineno == line  # Linear was made inside minigrad's nn, called from this line
    assert created.function == "test_created_at_points_through_methods_and_modules_to_the_user_line"


def test_no_error_and_identical_results_outside_the_context():
    def run():
        x = mg.tensor([0.0, 1.0, -1.0], requires_grad=True)
        bad = mg.log(x)  # -inf, 0, NaN
        y = (mg.sqrt(x * x + 1.0) * 3.0).sum()
        y.backward()
        return bad.data, y.item(), x.grad

    bad, value, grad = run()  # outside: NaN and inf flow through quietly
    assert np.isnan(bad[2]) and np.isinf(bad[0])
    with detect_anomaly():
        x = mg.tensor([0.0, 1.0, -1.0], requires_grad=True)
        y = (mg.sqrt(x * x + 1.0) * 3.0).sum()
        y.backward()
    assert y.item() == value and np.array_equal(x.grad, grad)


def test_integer_and_bool_outputs_are_not_checked():
    x = mg.tensor([1.0, -1.0], requires_grad=True)
    with detect_anomaly():
        mask = x > 0
        assert mask.tolist() == [True, False]


def test_nested_use_restores_the_previous_state():
    assert not any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)
    with detect_anomaly():
        with detect_anomaly():
            assert any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)
        assert any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)
        with mg.no_grad(), pytest.raises(RuntimeError):
            with detect_anomaly():
                mg.log(mg.tensor([-1.0]))  # checked with no graph too: forward outputs always are
        assert any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)
    assert not any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)


def test_detect_anomaly_as_a_decorator():
    @detect_anomaly()
    def risky(x):
        assert any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)
        return mg.log(x)

    with pytest.raises(RuntimeError, match="Log"):
        risky(mg.tensor([-1.0], requires_grad=True))
    assert not any(isinstance(o, detect_anomaly) for o in autograd._settings().observers)


def test_costs_nothing_when_off_no_location_is_recorded():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2.0).exp().sum()
    node = y._node
    while node is not None:
        assert not hasattr(node, "created_at")
        node = node.inputs[0]._node
    with detect_anomaly():
        z = x * 2.0
    assert z._node.created_at.lineno > 0


def test_op_made_before_anomaly_mode_says_so():
    x = mg.tensor([0.0], requires_grad=True)
    y = mg.sqrt(x).sum()
    with detect_anomaly(), pytest.raises(RuntimeError, match="made before detect_anomaly"):
        y.backward()


def test_second_derivatives_under_anomaly_mode():
    x = mg.tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    with detect_anomaly():
        (g,) = mg.grad((x**3).sum(), x, create_graph=True)
        g.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]  # d²(x³)/dx² = 6x


# --- trace ---------------------------------------------------------------------------------


def test_trace_worked_by_hand():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    f = (x * b + b).relu().sum()  # x*b + b = [[2, -6, 12], [5, -12, 21]]: relu lets columns 0 and 2 through
    with mg.autograd.trace(names={"x": x, "b": b}) as t:
        f.backward()
    assert [s.op for s in t.steps] == ["Sum", "Relu", "Add", "Mul"]
    assert [s.step for s in t.steps] == [1, 2, 3, 4]
    total, relu, add, mul = t.steps
    assert total.output_shape == () and total.grad_norm == 1.0
    assert relu.grad_norm == pytest.approx(np.sqrt(6))  # ones (2, 3)
    assert relu.inputs[0].norm == pytest.approx(2.0)  # the mask [[1, 0, 1], [1, 0, 1]]
    to_sum, to_b = add.inputs
    assert (to_sum.shape, to_sum.broadcast_shape, to_sum.leaf) == ((2, 3), None, None)
    assert (to_b.index, to_b.shape, to_b.broadcast_shape, to_b.leaf) == (1, (3,), (2, 3), "b")
    assert to_b.grad.tolist() == [2.0, 0.0, 2.0]  # the mask summed over rows
    to_x, to_b = mul.inputs
    assert to_x.leaf == "x" and to_x.grad.tolist() == [[1.0, 0.0, 3.0], [1.0, 0.0, 3.0]]  # mask * b
    assert to_b.grad.tolist() == [5.0, 0.0, 9.0]  # Σ_rows mask * x
    assert to_b.norm == pytest.approx(np.sqrt(106))
    leaves = {leaf.name: leaf for leaf in t.leaves}
    assert set(leaves) == {"x", "b"}
    assert leaves["b"].grad.tolist() == [7.0, 0.0, 11.0] == b.grad.tolist()
    assert leaves["b"].norm == pytest.approx(np.sqrt(170))
    assert leaves["x"].shape == (2, 3)


def _nodes_and_inputs(root):
    """Every node above ``root``, each with the nodes of its inputs (walked before backward frees them)."""
    inputs, stack = {}, [root._node]
    while stack:
        node = stack.pop()
        if node in inputs:
            continue
        inputs[node] = [x._node for x, need in zip(node.inputs, node.needs) if need and x._node is not None]
        stack.extend(inputs[node])
    return inputs


def test_trace_visits_nodes_in_reverse_topological_order():
    mg.manual_seed(0)
    w = mg.randn(3, 3, requires_grad=True)
    x = mg.randn(4, 3)
    h = (x @ w).tanh()
    h = h @ w + h  # w used twice, h used twice: a diamond
    loss = (h * h).mean() + h.sum() * 0.1
    graph = _nodes_and_inputs(loss)
    with mg.autograd.trace() as t:
        loss.backward()
    visited = [s.node for s in t.steps]
    assert len(visited) == len(set(visited)) == len(graph)
    position = {node: k for k, node in enumerate(visited)}
    for node, its_inputs in graph.items():
        for input_node in its_inputs:
            assert position[node] < position[input_node], f"{node.name} visited after its input {input_node.name}"
    assert [leaf.tensor for leaf in t.leaves] == [w]
    assert np.allclose(t.leaves[0].grad, w.grad)


def test_print_shows_an_aligned_table():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.autograd.trace(names={"x": x}) as t:
        (x * 3.0).sum().backward()
    text = str(t)
    lines = text.splitlines()
    assert lines[0].startswith("backward trace: 2 steps")
    header = lines[1]
    assert header.split() == [
        "step",
        "op",
        "output",
        "shape",
        "|grad",
        "in|",
        "to",
        "input",
        "shape",
        "|grad",
        "out|",
        "note",
    ]
    sum_row, mul_row = lines[2], lines[3]
    assert sum_row.split()[:2] == ["1", "Sum"] and mul_row.split()[:2] == ["2", "Mul"]
    assert sum_row.index("Sum") == mul_row.index("Mul") == header.index("op")  # aligned columns
    # |1, 1| = √2, |3, 3| = 3√2, and a gradient this small is also shown as its values
    assert mul_row.split()[3:] == ["1.414", "[0]", "(2,)", "4.243", "leaf", "x;", "=", "[3,", "3]"]
    assert "leaves that received gradients: 1" in text
    assert repr(t) == "<trace of 2 backward steps, 1 leaves>"


def test_empty_trace_says_so():
    with mg.autograd.trace() as t:
        pass
    assert "nothing recorded" in str(t) and len(t) == 0


def test_nested_traces_both_record_and_grad_is_traced_too():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.autograd.trace() as outer:
        with mg.autograd.trace() as inner:
            (g,) = mg.grad((x * x).sum(), x)
        assert autograd._settings().observers == (outer,)
    assert autograd._settings().observers == ()
    assert [s.op for s in inner.steps] == ["Sum", "Mul"] and [s.op for s in outer.steps] == ["Sum", "Mul"]
    assert x.grad is None and g.tolist() == [2.0, 4.0]
    assert inner.leaves[0].grad.tolist() == [2.0, 4.0] and inner.leaves[0].name == "#1"


def test_trace_with_create_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    with mg.autograd.trace() as t:
        (g,) = mg.grad((x**3).sum(), x, create_graph=True)
    assert [s.op for s in t.steps] == ["Sum", "Pow"]
    assert isinstance(t.steps[1].inputs[0].grad, np.ndarray)
    assert t.steps[1].inputs[0].grad.tolist() == [3.0, 12.0]
