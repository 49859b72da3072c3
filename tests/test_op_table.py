"""Every differentiable op, first and second derivatives against finite differences in float64.

OP_TABLE maps each Function class to cases: (a function of Tensors, the input
arrays); the modules in ``tests/op_cases/`` add theirs. ``test_every_op_is_in_the_table``
fails when an op is added to the package without an entry.
"""

import numpy as np
import pytest
from op_cases import away_from_zero, binary_cases, collect, normal, positive, rng

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import Function

MASK = rng.random((3, 4)) > 0.5

OP_TABLE = {
    "Add": binary_cases(lambda a, b: a + b) + [(lambda a: 2.5 + a, (normal(3),))],
    "Sub": binary_cases(lambda a, b: a - b) + [(lambda a: 1.0 - a, (normal(3),))],
    "Mul": binary_cases(lambda a, b: a * b) + [(lambda a: a * np.arange(3.0), (normal(2, 3),))],
    "Div": binary_cases(lambda a, b: a / b, normal, away_from_zero) + [(lambda a: 1.0 / a, (away_from_zero(4),))],
    "Pow": binary_cases(lambda a, b: a**b, positive, normal)
    + [(lambda a: a**3, (normal(3, 2),)), (lambda b: 2.0**b, (normal(4),))],
    "Neg": [(lambda a: -a, (normal(2, 3),))],
    "Maximum": binary_cases(mg.maximum),
    "Minimum": binary_cases(mg.minimum),
    "Where": [
        (lambda a, b: mg.where(MASK, a, b), (normal(3, 4), normal(4))),
        (lambda a: mg.where(mg.tensor(MASK), a, 0.0), (normal(3, 4),)),
    ],
    "Exp": [(mg.exp, (normal(3, 4),))],
    "Log": [(mg.log, (positive(3, 4),))],
    "Sqrt": [(mg.sqrt, (positive(3, 4),))],
    "Abs": [(mg.abs, (away_from_zero(3, 4),))],
    "Tanh": [(mg.tanh, (normal(3, 4),))],
    "Sigmoid": [(mg.sigmoid, (normal(3, 4),))],
    "Relu": [(mg.relu, (away_from_zero(3, 4),))],
    "Clip": [
        (lambda a: mg.clip(a, -0.5, 0.7), (rng.choice([-1.0, -0.2, 0.3, 1.1], (3, 4)) + 0.01 * normal(3, 4),)),
        (lambda a: a.clip(lo=0.0), (away_from_zero(5),)),
    ],
    "AsType": [(lambda a: a.astype(np.longdouble).astype(np.float64) * 2, (normal(3),))],
    "MatMul": [
        (mg.matmul, (normal(*sa), normal(*sb)))
        for sa, sb in [
            ((3, 4), (4, 5)),
            ((4,), (4, 5)),
            ((3, 4), (4,)),
            ((4,), (4,)),
            ((2, 3, 4), (4, 5)),
            ((2, 3, 4), (2, 4, 5)),
            ((2, 1, 3, 4), (5, 4, 2)),
            ((4,), (2, 4, 3)),
        ]
    ],
    "Sum": [
        (lambda a, axis=axis, k=k: a.sum(axis=axis, keepdims=k), (normal(2, 3, 4),))
        for axis in (None, 0, -1, (0, 2))
        for k in (False, True)
    ],
    "Mean": [
        (lambda a, axis=axis, k=k: a.mean(axis=axis, keepdims=k), (normal(2, 3, 4),))
        for axis in (None, 1, (0, 2))
        for k in (False, True)
    ],
    "Max": [
        (lambda a, axis=axis, k=k: a.max(axis=axis, keepdims=k), (normal(2, 3, 4),))
        for axis in (None, 0, -1, (1, 2))
        for k in (False, True)
    ],
    "Min": [
        (lambda a, axis=axis, k=k: a.min(axis=axis, keepdims=k), (normal(2, 3, 4),))
        for axis in (None, 1, (0, 1))
        for k in (False, True)
    ],
    "LogSumExp": [
        (lambda a, axis=axis, k=k: a.logsumexp(axis=axis, keepdims=k), (normal(2, 3, 4),))
        for axis in (None, -1, (0, 2))
        for k in (False, True)
    ],
    "Softmax": [(lambda a, axis=axis: a.softmax(axis=axis), (normal(3, 4),)) for axis in (-1, 0)],
    "LogSoftmax": [(lambda a, axis=axis: a.log_softmax(axis=axis), (normal(3, 4),)) for axis in (-1, 0)],
    "Reshape": [
        (lambda a: a.reshape(4, 3), (normal(3, 4),)),
        (lambda a: a.reshape((2, -1)), (normal(3, 4),)),
        (lambda a: a.flatten(), (normal(2, 3),)),
        (lambda a: a.expand_dims(1), (normal(2, 3),)),
        (lambda a: a.squeeze(), (normal(2, 1, 3),)),
        (lambda a: a.squeeze(0), (normal(1, 3),)),
    ],
    "Transpose": [
        (lambda a: a.T, (normal(3, 4),)),
        (lambda a: a.transpose(2, 0, 1), (normal(2, 3, 4),)),
        (lambda a: a.transpose((1, 0, 2)), (normal(2, 3, 4),)),
        (lambda a: a.swapaxes(0, -1), (normal(2, 3, 4),)),
    ],
    "BroadcastTo": [(lambda a: mg.ops.broadcast_to(a, (2, 3, 4)), (normal(3, 1),))],
    "SumTo": [(lambda a: mg.ops.sum_to(a, (3, 1)), (normal(2, 3, 4),))],
    "GetItem": [
        (lambda a, i=i: a[i], (normal(4, 5),))
        for i in (
            1,
            (slice(1, 3), -1),
            (Ellipsis, None, 2),
            np.array([0, 2, 2, 3]),
            rng.random((4, 5)) > 0.5,
            (np.array([0, 1, 1]), np.array([4, 4, 0])),
            [3, 0, 3],
            mg.tensor([1, 1]),
        )
    ],
    "ScatterAdd": [
        (lambda g: mg.ops.scatter_add(g, np.array([0, 2, 0]), (4, 2)), (normal(3, 2),)),
        (lambda g: mg.ops.scatter_add(g, (slice(None), 1), (3, 2)), (normal(3),)),
    ],
    "Concatenate": [
        (lambda a, b: mg.concatenate([a, b], axis=1), (normal(2, 3), normal(2, 1))),
        (lambda a, b: mg.concatenate([a, b, a]), (normal(2, 3), normal(1, 3))),
    ],
    "Stack": [
        (lambda a, b: mg.stack([a, b], axis=-1), (normal(2, 3), normal(2, 3))),
        (
            lambda a, b: mg.stack([a, b, a]),
            (
                normal(
                    2,
                ),
                normal(
                    2,
                ),
            ),
        ),
    ],
    "LogSigmoid": [(F.logsigmoid, (normal(3, 4) * 3,))],
    "Linear": [
        (F.linear, (normal(5, 3), normal(4, 3), normal(4))),
        (F.linear, (normal(2, 5, 3), normal(4, 3))),
        (F.linear, (normal(3), normal(4, 3), normal(4))),
    ],
}


for _name, _cases in collect().items():
    if _name in OP_TABLE:
        raise AssertionError(f"op {_name} has cases in test_op_table.py and in tests/op_cases")
    OP_TABLE[_name] = _cases


def all_function_classes():
    found, todo = set(), [Function]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if not sub.__name__.startswith("_") and sub.__module__.startswith("minigrad."):
                found.add(sub.__name__)
    return found


def test_every_op_is_in_the_table():
    missing = all_function_classes() - set(OP_TABLE)
    assert not missing, f"ops without gradcheck cases: {sorted(missing)}"


CASES = [(name, i, fn, arrays) for name, cases in OP_TABLE.items() for i, (fn, arrays) in enumerate(cases)]


@pytest.mark.parametrize("name,i,fn,arrays", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_first_and_second_derivatives(name, i, fn, arrays):
    inputs = tuple(mg.tensor(a, requires_grad=True) for a in arrays)
    order = mg.autograd.topological_order([fn(*inputs)])
    assert name in {t._node.name for t in order if t._node is not None}, f"case does not exercise {name}"
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(Function):
        def forward(self, a):
            return a * a

        def backward(self, g, out, a):
            return (g * a * 3,)  # should be 2a

    x = mg.tensor(normal(3), requires_grad=True)
    with pytest.raises(mg.GradcheckError, match=r"input 0 .*index \(\d+,\).*analytic .*numeric"):
        mg.gradcheck(lambda t: WrongSquare()(t), (x,))
    assert mg.gradcheck(lambda t: WrongSquare()(t), (x,), raise_exception=False) is False


def test_gradcheck_warns_on_float32():
    x = mg.tensor(normal(3).astype(np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        assert mg.gradcheck(lambda t: t * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)
