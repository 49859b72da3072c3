"""No silent wrong answers: each idiom that once gave a wrong result now works like PyTorch or raises.

One test (or a few) per item of the issue, in its order: in-place updates and versions,
per-thread grad mode, NumPy interop, dtypes, edge gradients, 0-d reductions, bad dtypes
and axes, and the messages.
"""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn as nn

# --- 1. the manual update under no_grad writes into the parameters ----------------------


def test_manual_sgd_update_in_place_changes_the_parameters_and_the_loss():
    mg.manual_seed(0)
    model = nn.Linear(3, 1)
    x, y = mg.tensor(np.ones((4, 3), dtype=np.float32)), mg.tensor(np.zeros((4, 1), dtype=np.float32))
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    before = [p.data.copy() for p in model.parameters()]
    expected = [p.data - 0.1 * p.grad for p in model.parameters()]
    arrays = [p.data for p in model.parameters()]
    with mg.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, b, e, a in zip(model.parameters(), before, expected, arrays, strict=True):
        assert p.data is a  # the same array object, written in place
        np.testing.assert_allclose(p.data, e)
        assert not np.array_equal(p.data, b) and p._version == 1
    assert ((model(x) - y) ** 2).mean().item() < loss.item()


def test_in_place_on_a_tensor_that_requires_grad_raises_under_grad_mode():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    for write in (lambda: w.__iadd__(1.0), lambda: w.__setitem__(0, 5.0), lambda: w.zero_()):
        with pytest.raises(RuntimeError, match="no_grad"):
            write()
    assert w.tolist() == [1.0, 2.0] and w._version == 0


def test_in_place_ops_return_the_tensor_keep_dtype_and_check_shapes():
    t = mg.tensor(np.zeros(3, dtype=np.float64))
    assert (t.__iadd__(1) is t) and t.dtype == np.float64
    t *= mg.tensor([1.0, 2.0, 3.0])
    t /= 2
    t -= np.array([0.5, 0.0, 0.5])
    assert t.tolist() == [0.0, 1.0, 1.0] and t._version == 4
    assert t.fill_(7).tolist() == [7.0] * 3 and t.copy_([1, 2, 3]).tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        t += np.ones(2)
    ints = mg.tensor([1, 2])
    with pytest.raises(TypeError, match="float"):
        ints += 1.5
    assert ints.tolist() == [1, 2]


# --- 2. versions: changing a saved tensor before backward raises ---------------------------


def test_changing_a_saved_input_before_backward_raises_naming_op_shape_and_versions():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    with mg.no_grad():
        w[0] = 100.0
    with pytest.raises(RuntimeError, match=r"Mul.*\(2,\).*version 1.*version 0"):
        y.backward()
    assert x.grad is None


def test_changing_a_saved_output_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()  # Exp's backward reads its output
    loss = e.sum()
    with mg.no_grad():
        e += 1.0
    with pytest.raises(RuntimeError, match="output of Exp"):
        loss.backward()


def test_writing_into_a_view_is_seen_by_the_base():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = mg.tensor([[1.0, 1.0], [1.0, 1.0]])
    y = (x * w).sum()
    with mg.no_grad():
        row = w[0]  # a view of w's values
        row *= 3.0
    assert w._version == 1 and w.tolist()[0] == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="modified by an in-place"):
        y.backward()


def test_writing_into_a_detached_copy_made_after_the_forward_is_seen_by_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([5.0, 6.0])  # never written yet when Mul saves it
    y = (x * w).sum()
    shared = w.detach()  # detach shares w's values and its version counter, like PyTorch
    shared += 1.0
    assert (w._version, shared._version) == (1, 1)
    expected = r"input 1 of Mul, of shape \(2,\), is at version 1; Mul saved it at version 0"
    with pytest.raises(RuntimeError, match=expected):
        y.backward()


def test_optimizer_step_between_forward_and_backward_raises():
    model = nn.Linear(2, 1)
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    x = mg.tensor([[1.0, 2.0]])
    model(x).sum().backward()
    loss = (model(x) ** 2).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="in-place"):
        loss.backward()


def test_versions_across_two_backwards_with_retain_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0])
    y = (x * w).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    assert x.grad.tolist() == [6.0, 8.0]
    with mg.no_grad():
        w += 1
    with pytest.raises(RuntimeError, match="version 1"):
        y.backward()


def test_writing_into_data_directly_bypasses_versions_like_pytorch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0])
    y = (x * w).sum()
    w.data[0] = 10.0
    y.backward()
    assert x.grad.tolist() == [10.0, 4.0] and w._version == 0


# --- 3. grad mode is per thread ---------------------------------------------------------------


def _train(seed, steps=30):
    mg.manual_seed(seed)
    model = nn.MLP([4, 8, 2])
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 2, 16)
    for _ in range(steps):
        opt.zero_grad()
        mg.nn.functional.cross_entropy(model(mg.tensor(x, dtype=np.float32)), y).backward()
        opt.step()
    return [p.data.copy() for p in model.parameters()]


def test_another_threads_no_grad_does_not_change_what_this_thread_records():
    expected = _train(3)
    inside, stop = threading.Event(), threading.Event()
    seen = []

    def idle_in_no_grad():
        with mg.no_grad():
            inside.set()
            while not stop.is_set():
                seen.append(mg.is_grad_enabled())
                stop.wait(0.001)

    thread = threading.Thread(target=idle_in_no_grad)
    thread.start()
    inside.wait()
    try:
        got = _train(3)
    finally:
        stop.set()
        thread.join()
    assert mg.is_grad_enabled() and seen and not any(seen)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_new_thread_starts_with_grad_enabled():
    found = []
    with mg.no_grad():
        thread = threading.Thread(target=lambda: found.append(mg.is_grad_enabled()))
        thread.start()
        thread.join()
    assert found == [True]


# --- 4. NumPy interop ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: np.exp(t).sum(),
        lambda t: np.dot(np.arange(3.0), t.reshape(3, 2)).sum(),
        lambda t: np.sum(t * t, axis=0).sum(),
        lambda t: np.concatenate([t, t * 2]).sum(),
        lambda t: (np.arange(6.0).reshape(2, 3) @ t.reshape(3, 2)).sum(),
        lambda t: (np.ones(6) + t).prod(),
        lambda t: np.mean(np.tanh(t)),
    ],
)
def test_numpy_entry_points_are_differentiable(fn):
    x = mg.tensor(np.linspace(-0.9, 0.8, 6), requires_grad=True)
    out = fn(x)
    assert isinstance(out, mg.Tensor) and out.requires_grad
    assert mg.gradcheck(fn, (x,))


def test_unsupported_numpy_function_on_a_requires_grad_tensor_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.median.*detach\(\)\.numpy\(\)"):
        np.median(x)
    assert np.median(x.detach()) == 1.5  # without grad it runs on the array
    assert np.asarray(x) is x.data


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["add", "mul", "sub", "exp", "tanh", "maximum"]), min_size=1, max_size=5),
    st.sampled_from([(3,), (2, 3), (1, 3)]),
)
def test_property_numpy_entry_points_give_the_same_gradients_as_minigrad(program, shape):
    rng = np.random.default_rng(len(program))
    a0, b0 = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, shape)
    numpy_fns = {"add": np.add, "mul": np.multiply, "sub": np.subtract, "maximum": np.maximum}
    mg_fns = {"add": mg.ops.add, "mul": mg.ops.mul, "sub": mg.ops.sub, "maximum": mg.maximum}

    def run(use_numpy):
        a, b = mg.tensor(a0, requires_grad=True), mg.tensor(b0, requires_grad=True)
        y = a
        for step in program:
            if step in ("exp", "tanh"):
                y = (getattr(np, step) if use_numpy else getattr(mg, step))(y * 0.5)
            else:
                y = (numpy_fns if use_numpy else mg_fns)[step](y, b)
        (y.sum() + b.sum()).backward()  # b always gets a gradient
        return a.grad, b.grad

    for numpy_grad, mg_grad in zip(run(True), run(False), strict=True):
        np.testing.assert_allclose(numpy_grad, mg_grad)


# --- 5-7. dtypes, edge gradients, 0-d reductions -------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_division_keeps_the_float_dtype(dtype):
    t = mg.tensor(np.array([1.0, 2.0], dtype=dtype), requires_grad=True)
    assert (1 / t).dtype == dtype and (t / 2).dtype == dtype
    if dtype == np.float64:
        assert mg.gradcheck(lambda u: (1 / u).sum(), (t,))


@pytest.mark.parametrize("values", [[1, 2], [True, False]])
def test_unary_maths_on_int_and_bool_give_float32(values):
    t = mg.tensor(values)
    for fn in (mg.exp, mg.log, mg.sqrt, mg.tanh, mg.sigmoid, mg.sin):
        assert fn(t).dtype == np.float32
    assert (t / 2).dtype == np.float32 and (t / t.astype(np.int64)).dtype == np.float32


def test_pow_gradients_at_the_edges_like_pytorch():
    x = mg.tensor([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    a = mg.tensor([-2.0, 0.0, 3.0])
    b = mg.tensor([2.0, 2.0, 2.0], requires_grad=True)
    (a**b).sum().backward()
    assert np.isnan(b.grad[0]) and b.grad[1] == 0.0 and b.grad[2] == pytest.approx(9 * np.log(3))


def test_zero_dimensional_reductions():
    t = mg.tensor(0.5, requires_grad=True)
    assert t.logsumexp().item() == pytest.approx(0.5)
    assert t.sum(axis=0).item() == 0.5 and t.sum(axis=-1).item() == 0.5 and t.mean(axis=0).item() == 0.5
    with pytest.raises(ValueError, match="out of range"):
        t.sum(axis=1)


# --- 8. non-numeric dtypes, bad axes, float factories with int dtypes ---------------------------


@pytest.mark.parametrize("data", [["1.5", "2"], [b"a"], np.array(["2020-01-01"], dtype="datetime64[D]"), [object()]])
def test_non_numeric_data_is_refused(data):
    with pytest.raises(TypeError, match="numbers"):
        mg.tensor(data)


def test_bad_axes_raise_instead_of_reducing_the_wrong_axis():
    t = mg.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="integer"):
        t.sum(axis="1")
    with pytest.raises(TypeError, match="integer"):
        t.sum(axis=1.5)
    with pytest.raises(TypeError, match="both"):
        t.sum(axis=0, dim=0)
    assert t.sum(dim=1, keepdim=True).shape == (2, 1)


def test_random_factories_refuse_integer_dtypes():
    with pytest.raises(TypeError):
        mg.randn(2, dtype="int64")


# --- 11-12. messages ---------------------------------------------------------------------------


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        mg.tensor(np.ones((2, 3))) @ mg.tensor(np.ones((4, 5)))


def test_huge_integer_message():
    with pytest.raises(TypeError, match="int64"):
        mg.tensor(2**70)


def test_gradcheck_on_a_one_element_output_names_the_derivatives_themselves():
    class WrongCube(mg.autograd.Function):
        def forward(self, a):
            return a**3

        def backward(self, g, out, a):
            return (g * 6 * a * a,)  # should be 3a²: twice the derivative

    x = mg.tensor(np.array([0.5, 1.19]), requires_grad=True)
    with pytest.raises(mg.GradcheckError) as error:
        mg.gradcheck(lambda t: WrongCube()(t).sum(), (x,))
    message = str(error.value)
    assert "analytic 8.4966" in message and "numeric 4.2483" in message  # 6·1.19² and 3·1.19²
