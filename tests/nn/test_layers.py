"""Layers and loss modules: values against NumPy, gradients against finite differences."""

from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.nn.layers import (
    MLP,
    Dropout,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from minigrad.nn.loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter


def randn(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# --------------------------------------------------------------------------- Linear


def test_linear_shapes_dtype_and_registration():
    layer = Linear(5, 3)
    assert isinstance(layer.weight, Parameter) and isinstance(layer.bias, Parameter)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("fan_in", [1, 4, 100])
def test_linear_init_is_uniform_within_one_over_sqrt_fan_in(fan_in):
    mg.manual_seed(0)
    layer = Linear(fan_in, 1000)
    bound = np.float32(1.0 / np.sqrt(fan_in))
    for param in (layer.weight.data, layer.bias.data):
        assert np.abs(param).max() <= bound
    weights = layer.weight.data
    # uniform on [-b, b]: it fills the interval, with mean 0 and variance b^2 / 3
    assert np.abs(weights).max() > 0.95 * bound
    assert abs(weights.mean()) < 0.1 * bound  # > 5 standard errors
    assert weights.var() == pytest.approx(bound**2 / 3, rel=0.1)


def test_linear_init_draws_from_the_global_generator():
    mg.manual_seed(123)
    first = Linear(4, 3)
    mg.manual_seed(123)
    second = Linear(4, 3)
    third = Linear(4, 3)
    np.testing.assert_array_equal(first.weight.data, second.weight.data)
    np.testing.assert_array_equal(first.bias.data, second.bias.data)
    assert not np.array_equal(second.weight.data, third.weight.data)


def test_linear_rejects_bad_sizes():
    with pytest.raises(ValueError, match="in_features.*2.5"):
        Linear(2.5, 3)
    with pytest.raises(ValueError, match="out_features.*-1"):
        Linear(2, -1)


@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4), (4,)])
def test_linear_forward_matches_numpy(shape):
    layer = Linear(4, 3)
    x = randn(*shape)
    out = layer(mg.tensor(x))
    expected = x @ layer.weight.data.T + layer.bias.data
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-6)


def test_linear_without_bias():
    layer = Linear(4, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = randn(3, 4)
    np.testing.assert_allclose(layer(mg.tensor(x)).data, x @ layer.weight.data.T, rtol=1e-5)


def test_linear_gradients_pass_gradcheck_in_float64():
    layer = Linear(4, 3)
    x = mg.tensor(randn(5, 4, dtype=np.float64), requires_grad=True)
    w = Parameter(layer.weight.data.astype(np.float64))
    b = Parameter(layer.bias.data.astype(np.float64))

    def run(x, w, b):
        layer.weight, layer.bias = w, b
        return layer(x)

    assert mg.gradcheck(run, (x, w, b))


def test_linear_backward_matches_hand_written_gradients():
    layer = Linear(4, 3)
    x = randn(5, 4)
    upstream = randn(5, 3, seed=1)
    layer(mg.tensor(x)).backward(upstream)
    np.testing.assert_allclose(layer.weight.grad, upstream.T @ x, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad, upstream.sum(axis=0), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- activations


@pytest.mark.parametrize(
    "module, reference",
    [
        (ReLU(), lambda x: np.maximum(x, 0)),
        (Tanh(), np.tanh),
        (Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (Softmax(), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
        (Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
        (LogSoftmax(), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
        (LogSoftmax(axis=0), lambda x: x - np.log(np.exp(x).sum(0, keepdims=True))),
        (Identity(), lambda x: x),
    ],
    ids=["relu", "tanh", "sigmoid", "softmax", "softmax0", "logsoftmax", "logsoftmax0", "id"],
)
def test_activation_values(module, reference):
    x = randn(4, 5, dtype=np.float64)
    np.testing.assert_allclose(np.asarray(module(mg.tensor(x)).data), reference(x), rtol=1e-10)


def test_identity_returns_its_input():
    x = mg.tensor([1.0, 2.0])
    assert Identity()(x) is x


def test_activations_are_parameter_free():
    for module in (ReLU(), Tanh(), Sigmoid(), Softmax(), LogSoftmax(), Identity(), Flatten()):
        assert list(module.parameters()) == []


# -------------------------------------------------------------------------- Dropout


def test_dropout_eval_is_identity():
    layer = Dropout(0.5).eval()
    x = randn(10, 10)
    np.testing.assert_array_equal(layer(mg.tensor(x)).data, x)


def test_dropout_train_zeros_about_p_and_scales_the_rest():
    mg.manual_seed(0)
    p = 0.3
    x = np.ones((200, 200), dtype=np.float32)
    out = Dropout(p)(mg.tensor(x)).data
    zeros = out == 0
    assert zeros.mean() == pytest.approx(p, abs=0.01)
    np.testing.assert_allclose(out[~zeros], 1 / (1 - p), rtol=1e-6)


def test_dropout_follows_the_module_mode():
    mg.manual_seed(0)
    seq = Sequential(Dropout(0.5))
    x = np.ones((50, 50), dtype=np.float32)
    assert (seq(mg.tensor(x)).data == 0).any()
    seq.eval()
    np.testing.assert_array_equal(seq(mg.tensor(x)).data, x)


def test_dropout_extremes_and_reproducibility():
    x = randn(20, 20)
    np.testing.assert_array_equal(Dropout(0.0)(mg.tensor(x)).data, x)
    assert not Dropout(1.0)(mg.tensor(x)).data.any()
    mg.manual_seed(5)
    first = Dropout(0.5)(mg.tensor(x)).data
    mg.manual_seed(5)
    np.testing.assert_array_equal(Dropout(0.5)(mg.tensor(x)).data, first)


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", None, float("nan")])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match="p"):
        Dropout(p)


# -------------------------------------------------------------------------- Flatten


@pytest.mark.parametrize(
    "shape, expected", [((2, 3, 4, 5), (2, 60)), ((7, 3), (7, 3)), ((0, 3, 2), (0, 6)), ((4, 1, 8), (4, 8))]
)
def test_flatten_keeps_the_first_axis(shape, expected):
    x = randn(*shape)
    out = Flatten()(mg.tensor(x))
    assert out.shape == expected
    np.testing.assert_array_equal(out.data, x.reshape(expected))


def test_flatten_passes_gradients_back_in_the_input_shape():
    x = mg.tensor(randn(2, 3, 4), requires_grad=True)
    (Flatten()(x) * mg.tensor(np.arange(24, dtype=np.float32).reshape(2, 12))).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(24, dtype=np.float32).reshape(2, 3, 4))


def test_flatten_needs_a_batch_axis_and_another():
    with pytest.raises(ValueError, match=r"\(5,\)"):
        Flatten()(mg.tensor(randn(5)))


# ----------------------------------------------------------------------- Sequential


def test_sequential_registers_numbered_children_and_chains_them():
    a, b = Linear(3, 4), Linear(4, 2)
    seq = Sequential(a, ReLU(), b)
    assert list(seq._modules) == ["0", "1", "2"]
    x = randn(5, 3)
    expected = b(ReLU()(a(mg.tensor(x)))).data
    np.testing.assert_allclose(seq(mg.tensor(x)).data, expected, rtol=1e-6)


def test_sequential_len_indexing_slicing_iteration():
    layers = [Linear(2, 2), ReLU(), Linear(2, 1)]
    seq = Sequential(*layers)
    assert len(seq) == 3
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    assert list(seq) == layers
    tail = seq[1:]
    assert isinstance(tail, Sequential) and list(tail) == layers[1:]
    assert list(tail._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="3.*length 3"):
        seq[3]
    with pytest.raises(TypeError, match="str"):
        seq["0"]


def test_sequential_from_ordered_dict_and_append():
    seq = Sequential(OrderedDict([("hidden", Linear(2, 3)), ("act", Tanh())]))
    assert [name for name, _ in seq.named_parameters()] == ["hidden.weight", "hidden.bias"]
    seq.append(Linear(3, 1))
    assert list(seq._modules) == ["hidden", "act", "2"]
    assert seq(mg.tensor(randn(4, 2))).shape == (4, 1)


def test_sequential_rejects_non_modules_naming_position():
    with pytest.raises(TypeError, match="function at position 1"):
        Sequential(ReLU(), lambda x: x)


def test_empty_sequential_is_identity():
    x = mg.tensor([1.0])
    assert Sequential()(x) is x


# ------------------------------------------------------------------------------ MLP


def test_mlp_structure_and_names():
    mlp = MLP([2, 16, 8, 3])
    assert isinstance(mlp, Sequential)
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [(m.in_features, m.out_features) for m in mlp if isinstance(m, Linear)] == [(2, 16), (16, 8), (8, 3)]
    assert [name for name, _ in mlp.named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "4.weight",
        "4.bias",
    ]
    assert mlp(mg.tensor(randn(5, 2))).shape == (5, 3)
    assert repr(mlp).startswith("MLP(\n  (0): Linear(in_features=2, out_features=16, bias=True)")


def test_mlp_with_two_sizes_is_one_linear_layer():
    mlp = MLP([4, 2])
    assert len(mlp) == 1 and isinstance(mlp[0], Linear)


@pytest.mark.parametrize(
    "activation, kind",
    [
        ("relu", ReLU),
        ("tanh", Tanh),
        ("sigmoid", Sigmoid),
        ("Tanh", Tanh),
        (Sigmoid, Sigmoid),
        (lambda: Dropout(0.1), Dropout),
    ],
)
def test_mlp_activation_choices(activation, kind):
    mlp = MLP([3, 4, 4, 1], activation=activation)
    assert isinstance(mlp[1], kind) and isinstance(mlp[3], kind)
    assert mlp[1] is not mlp[3]


def test_mlp_activation_instance_is_copied_per_gap():
    mlp = MLP([3, 4, 4, 1], activation=Dropout(0.2))
    assert isinstance(mlp[1], Dropout) and mlp[1].p == 0.2 and mlp[1] is not mlp[3]


@pytest.mark.parametrize("sizes", [[3], [], [3, 0, 1], [2, 2.5], [True, 2]])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        MLP(sizes)


def test_mlp_rejects_bad_activation():
    with pytest.raises(ValueError, match="'gelu'"):
        MLP([2, 2, 2], activation="gelu")
    with pytest.raises(TypeError, match="int"):
        MLP([2, 2, 2], activation=3)


# --------------------------------------------------------------------- loss modules

LOGITS = randn(6, 4, dtype=np.float64)
LABELS = np.array([0, 3, 1, 1, 2, 0])
WEIGHT = np.array([1.0, 2.0, 0.5, 1.5])


@pytest.mark.parametrize(
    "module, function, input, target",
    [
        (CrossEntropyLoss(), F.cross_entropy, LOGITS, LABELS),
        (
            CrossEntropyLoss(weight=WEIGHT, ignore_index=1, reduction="sum", label_smoothing=0.1),
            lambda i, t: F.cross_entropy(i, t, weight=WEIGHT, ignore_index=1, reduction="sum", label_smoothing=0.1),
            LOGITS,
            LABELS,
        ),
        (
            NLLLoss(weight=WEIGHT, reduction="none"),
            lambda i, t: F.nll_loss(i, t, weight=WEIGHT, reduction="none"),
            F.log_softmax(mg.tensor(LOGITS)).data,
            LABELS,
        ),
        (
            BCEWithLogitsLoss(pos_weight=np.array([2.0]), reduction="sum"),
            lambda i, t: F.binary_cross_entropy_with_logits(i, t, reduction="sum", pos_weight=np.array([2.0])),
            LOGITS[:, :1],
            (LABELS[:, None] > 1).astype(np.float64),
        ),
        (
            BCELoss(weight=np.full((6, 1), 0.5)),
            lambda i, t: F.binary_cross_entropy(i, t, weight=np.full((6, 1), 0.5)),
            1 / (1 + np.exp(-LOGITS[:, :1])),
            (LABELS[:, None] > 1).astype(np.float64),
        ),
        (MSELoss(reduction="sum"), lambda i, t: F.mse_loss(i, t, reduction="sum"), LOGITS, LOGITS[::-1].copy()),
    ],
    ids=["ce", "ce-options", "nll", "bce-logits", "bce", "mse"],
)
def test_loss_modules_match_their_functions(module, function, input, target):
    expected = function(mg.tensor(input), target)
    got = module(mg.tensor(input), target)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-12)


def test_loss_module_gradient_reaches_the_input():
    x = mg.tensor(LOGITS, requires_grad=True)
    CrossEntropyLoss()(x, LABELS).backward()
    probs = np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)
    np.testing.assert_allclose(x.grad, (probs - np.eye(4)[LABELS]) / len(LABELS), rtol=1e-7)


@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, BCELoss, MSELoss])
def test_loss_modules_validate_reduction(cls):
    assert cls(reduction="none").reduction == "none"
    with pytest.raises(ValueError, match="'average'"):
        cls(reduction="average")


def test_cross_entropy_loss_validates_label_smoothing():
    with pytest.raises(ValueError, match="label_smoothing.*1.5"):
        CrossEntropyLoss(label_smoothing=1.5)


def test_loss_modules_are_modules_without_parameters():
    loss = CrossEntropyLoss(weight=WEIGHT)
    assert isinstance(loss, Module) and list(loss.parameters()) == []
    assert repr(loss) == "CrossEntropyLoss()"
