"""ops/einsum.py: values against np.einsum, hand-worked gradients, and subscripts that do not fit."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.einsum import einsum

rng = np.random.default_rng(0)

CASES = [
    ("ij,jk->ik", (2, 3), (3, 4)),
    ("ij,jk", (2, 3), (3, 4)),
    ("ba", (2, 3)),  # implicit output in alphabetical order: a transpose
    ("ii->i", (3, 3)),
    ("ii", (3, 3)),
    ("iji->j", (2, 3, 2)),
    ("ij->", (2, 3)),
    ("i,i", (3,), (3,)),
    ("i,j->ij", (2,), (3,)),
    ("bij,bjk->bik", (2, 2, 3), (2, 3, 2)),
    ("...ij,...jk->...ik", (2, 1, 2, 3), (4, 3, 2)),
    ("i...,i->...", (2, 3, 1), (2,)),
    ("...", (2, 3)),
    ("ij,j,jk->k", (2, 3), (3,), (3, 2)),
    ("ij , jk -> ik", (2, 3), (3, 2)),
    (",->", (), ()),
]


@pytest.mark.parametrize("subscripts,shapes", [(c[0], c[1:]) for c in CASES], ids=[c[0] for c in CASES])
def test_values_match_numpy(subscripts, shapes):
    arrays = [rng.standard_normal(shape) for shape in shapes]
    result = einsum(subscripts, *[mg.tensor(a) for a in arrays])
    assert np.allclose(result.data, np.einsum(subscripts, *arrays))


def test_trace_and_diagonal_gradients_by_hand():
    m = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    trace = einsum("ii", m)
    assert trace.item() == 5.0
    trace.backward()
    assert m.grad.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    m.grad = None
    (einsum("ii->i", m) * mg.tensor([10.0, 20.0])).sum().backward()
    assert m.grad.tolist() == [[10.0, 0.0], [0.0, 20.0]]


def test_gradient_of_a_label_summed_away_is_broadcast_back():
    x = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    (einsum("ij->i", x) * mg.tensor([1.0, 2.0])).sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]


def test_matmul_gradients_equal_matmuls():
    a = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    g = rng.standard_normal((2, 4))
    (einsum("ij,jk->ik", a, b) * g).sum().backward()
    assert np.allclose(a.grad, g @ b.data.T) and np.allclose(b.grad, a.data.T @ g)


def test_broadcast_length_one_axis_gets_its_gradient_summed():
    a = mg.tensor(np.ones((1, 3)), requires_grad=True)
    b = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    einsum("...j,...j->...j", a, b).sum().backward()
    assert a.grad.tolist() == [[3.0, 5.0, 7.0]] and b.grad.tolist() == [[1.0] * 3] * 2


@pytest.mark.parametrize(
    "subscripts,shapes",
    [("ii->i", [(3, 3)]), ("iij,jk->ki", [(2, 2, 3), (3, 2)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)])],
)
def test_first_and_second_derivatives(subscripts, shapes):
    inputs = tuple(mg.tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes)
    fn = lambda *ops: einsum(subscripts, *ops)  # noqa: E731
    assert mg.gradcheck(fn, inputs) and mg.gradgradcheck(fn, inputs)


@pytest.mark.parametrize(
    "subscripts,shapes,message",
    [
        ("ij,jk", [(2, 3)], "2 operand terms for 1 operands"),
        ("ij,jk->ik", [(2, 3), (4, 5)], "label 'j' has length 3 in one operand and 4"),
        ("ijk->i", [(2, 3)], "'ijk' labels 3 axes but its operand has 2"),
        ("ii->i", [(2, 3)], "label 'i' repeats within 'ii' with lengths 2 and 3"),
        ("ij->ii", [(2, 2)], "repeats a label"),
        ("ij->k", [(2, 2)], "uses one no operand has"),
        ("...ij->ij", [(2, 3, 4)], "needs '...'"),
        ("i-j", [(2,)], "only letters"),
        ("...i...", [(2, 3)], "one '...'"),
    ],
)
def test_subscripts_that_do_not_fit_name_the_subscripts_and_shapes(subscripts, shapes, message):
    with pytest.raises(ValueError, match=r"einsum .*" + subscripts[:2].replace(".", r"\.")) as info:
        einsum(subscripts, *[np.ones(shape) for shape in shapes])
    assert message in str(info.value) and str(shapes[0]) in str(info.value)


def test_integer_operands_and_plain_arrays():
    assert einsum("i,i", mg.tensor([1, 2]), mg.tensor([3, 4])).item() == 11
    assert isinstance(einsum("ij->ji", np.ones((2, 3))), np.ndarray)
