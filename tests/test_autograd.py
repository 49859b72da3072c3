"""The engine: backward, accumulation, freeing, no_grad, grad() and higher-order gradients."""

import gc
import sys
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg


def test_backward_worked_by_hand():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, -1.0], requires_grad=True)
    loss = (x * w + x**2).sum()  # d/dx = w + 2x, d/dw = x
    loss.backward()
    assert x.grad.tolist() == [5.0, 3.0]
    assert w.grad.tolist() == [1.0, 2.0]
    assert x.grad.dtype == np.float32


def test_a_tensor_used_twice_gets_both_gradients():
    x = mg.tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_gradients_accumulate_across_backward_calls():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_leaves_never_share_a_gradient_array():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([1.0, 2.0], requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad += 1
    assert b.grad.tolist() == [1.0, 1.0]
    c = mg.tensor(np.ones((2, 2)), requires_grad=True)
    c.sum().backward()  # the gradient arrives as a read-only broadcast view
    c.grad += 1
    assert c.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_broadcast_gradients_sum_back_to_the_input_shape():
    x = mg.tensor(np.ones((3, 1)), requires_grad=True)
    b = mg.tensor(np.ones(4), requires_grad=True)
    (x * b).sum().backward()
    assert x.grad.shape == (3, 1) and x.grad.ravel().tolist() == [4.0, 4.0, 4.0]
    assert b.grad.tolist() == [3.0] * 4


def test_float32_input_mixed_with_float64_keeps_its_gradient_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * mg.tensor(np.array([2.0, 2.0]))).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 2.0]


def test_backward_without_gradient_needs_one_element():
    y = mg.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="scalar"):
        y.backward()


def test_backward_with_a_wrongly_shaped_gradient_names_both_shapes():
    y = mg.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_backward_with_a_gradient_list_or_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward([1.0, 10.0], retain_graph=True)
    assert x.grad.tolist() == [2.0, 20.0]
    x.grad = None
    (x * 2).backward(mg.tensor([1.0, 1.0]))
    assert x.grad.tolist() == [2.0, 2.0]


def test_second_backward_needs_retain_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    assert x.grad.tolist() == [2.0, 4.0]  # the failed call changed nothing
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_a_second_backward_through_ops_that_saved_nothing_works_like_pytorch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).sum().backward()


def test_a_100000_op_chain_runs_under_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_a_dropped_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = mg.tensor(np.ones(3), requires_grad=True)
        y = (x * 2).exp().sum()
        node = weakref.ref(y._node)
        middle = weakref.ref(y._node.inputs[0])
        del y
        assert node() is None and middle() is None
    finally:
        gc.enable()


def test_no_grad_builds_no_graph():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.no_grad():
        y = x * 2
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            z = x * 2
            assert mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y._node is None
    assert z.requires_grad

    @mg.no_grad()
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad and mg.is_grad_enabled()

    @mg.no_grad  # bare, like PyTorch allows
    def tripled(t):
        return t * 3

    assert not tripled(x).requires_grad and mg.is_grad_enabled()
    with mg.no_grad():
        assert (enable_grad_decorated := mg.enable_grad(lambda t: t * 2))(x).requires_grad
        with mg.set_grad_enabled(True):
            assert mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
    assert enable_grad_decorated(x).requires_grad


def test_repeated_indices_accumulate():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 2, 0, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    y = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    y[mg.tensor([1, 1]), [2, 2]].sum().backward()
    assert y.grad.tolist() == [[0, 0, 0], [0, 0, 2.0]]
    z = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z[z > 1.5].sum().backward()
    assert z.grad.tolist() == [0.0, 1.0, 1.0]


def test_max_and_min_ties_share_the_gradient_equally():
    x = mg.tensor([1.0, 3.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad, [0, 1 / 3, 1 / 3, 1 / 3])
    y = mg.tensor([[2.0, 2.0], [1.0, 5.0]], requires_grad=True)
    y.min(axis=1).sum().backward()
    assert y.grad.tolist() == [[0.5, 0.5], [1.0, 0.0]]


def test_maximum_and_minimum_ties_give_half_to_each_side():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.tensor([2.0, 2.0, 2.0], requires_grad=True)
    mg.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.5, 1.0] and b.grad.tolist() == [1.0, 0.5, 0.0]
    a.grad = b.grad = None
    mg.minimum(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 0.5, 0.0] and b.grad.tolist() == [0.0, 0.5, 1.0]


def test_relu_abs_and_clip_gradients_at_the_kinks_follow_pytorch():
    x = mg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x.grad = None
    x.abs().sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]
    x.grad = None
    x.clip(-1.0, 0.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0]


def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([3.0, 4.0], requires_grad=True)
    z = (x * y).sum()
    gx, gy = mg.grad(z, [x, y])
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert x.grad is None and y.grad is None
    assert isinstance(gx, mg.Tensor) and not gx.requires_grad


def test_grad_of_an_intermediate_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    out = (h * h).sum()
    (gh,) = mg.grad(out, [h])
    assert gh.tolist() == [6.0, 12.0]


def test_grad_with_an_unused_input():
    x = mg.tensor([1.0], requires_grad=True)
    unused = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        mg.grad((x * 2).sum(), [x, unused])
    assert mg.grad((x * 2).sum(), [x, unused], allow_unused=True)[1] is None


def test_second_derivative_worked_by_hand():
    x = mg.tensor(2.0, requires_grad=True)
    y = x**3  # y' = 3x² = 12, y'' = 6x = 12, y''' = 6
    (dy,) = mg.grad(y, x, create_graph=True)
    assert dy.item() == 12.0 and dy.requires_grad
    (d2y,) = mg.grad(dy, x, create_graph=True)
    assert d2y.item() == 12.0
    (d3y,) = mg.grad(d2y, x)
    assert d3y.item() == 6.0


def test_hessian_vector_product_of_a_quadratic():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = mg.tensor(np.array([1.0, -1.0]), requires_grad=True)
    f = (x @ mg.tensor(a) @ x) * 0.5  # gradient A x, Hessian A
    (g,) = mg.grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.data, a @ x.data)
    v = np.array([0.5, 2.0])
    (hv,) = mg.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.data, a @ v)


def test_gradient_penalty_trains_through_the_gradient():
    w = mg.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    x = mg.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    out = (w * x).tanh().sum()
    (gx,) = mg.grad(out, x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    assert w.grad is not None and w.grad.shape == (3,)
    assert mg.gradcheck(lambda w_: (mg.grad((w_ * x).tanh().sum(), x, create_graph=True)[0] ** 2).sum(), (w,))


def test_backward_of_a_graph_built_under_enable_grad_inside_no_grad():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.no_grad():
        with mg.enable_grad():
            y = (x * 5).sum()
    y.backward()
    assert x.grad.tolist() == [5.0]


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3)


@st.composite
def broadcastable_pair(draw):
    shape = draw(shapes)
    other = [draw(st.sampled_from([n, 1])) for n in shape]
    cut = draw(st.integers(0, len(other)))
    pair = (tuple(shape), tuple(other[cut:]))
    return pair if draw(st.booleans()) else pair[::-1]


@settings(max_examples=40, deadline=None)
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "div", "pow", "maximum", "minimum"]))
def test_binary_op_gradients_for_random_broadcastable_shapes(pair, op):
    rng = np.random.default_rng(abs(hash((pair, op))) % 2**32)
    a = mg.tensor(rng.uniform(0.5, 2.0, pair[0]), requires_grad=True)
    b = mg.tensor(rng.uniform(0.5, 2.0, pair[1]) * rng.choice([-1, 1], pair[1]), requires_grad=True)
    fn = {
        "add": lambda p, q: p + q,
        "sub": lambda p, q: p - q,
        "mul": lambda p, q: p * q,
        "div": lambda p, q: p / q,
        "pow": lambda p, q: p**q,
        "maximum": mg.maximum,
        "minimum": mg.minimum,
    }[op]
    assert fn(a, b).shape == np.broadcast_shapes(pair[0], pair[1])
    assert mg.gradcheck(fn, (a, b))


def test_the_first_node_ever_made_is_ordered_before_its_leaves():
    import subprocess

    code = (
        "import minigrad as mg; x = mg.tensor([1.0, 2.0], requires_grad=True); "
        "(x * x).sum().backward(); print(x.grad.tolist())"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "[2.0, 4.0]"
    )


def test_zero_dimensional_values_and_gradients_are_ndarrays():
    x = mg.tensor(2.0, requires_grad=True)
    y = (x * 3).sum()  # NumPy returns 0-d results as scalars; minigrad keeps ndarrays
    assert type(y.data) is np.ndarray and y.shape == ()
    y.backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 3.0
    v = mg.tensor([1.0, 2.0], requires_grad=True)
    loss = (v * v).sum()
    assert type(loss.data) is np.ndarray
    (gv,) = mg.grad(loss, v)
    assert type(gv.data) is np.ndarray
