"""conv1d / conv2d against a loop written out here, their adjoint Functions, the errors, and the Conv modules."""

import math
import os
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.ops.conv import ConvTransposeInput, ConvWeightGrad, conv_geometry

rng = np.random.default_rng(7)


def loop_conv2d(x, w, b=None, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """The definition, one output element at a time: out[n, o, i, j] = Σ xpad[n, c, i·s + p·d, j·s + q·d] w[o, c, p, q]

    (the sum over the channels c of o's group and the kernel offsets p, q)."""
    n_batch, channels, h, w_in = x.shape
    out_channels, group_channels, kh, kw = w.shape
    (top, bottom), (left, right) = pads
    xp = np.zeros((n_batch, channels, h + top + bottom, w_in + left + right))
    xp[:, :, top : top + h, left : left + w_in] = x
    ho = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n_batch, out_channels, ho, wo))
    per_group = out_channels // groups
    for n in range(n_batch):
        for o in range(out_channels):
            first = (o // per_group) * group_channels
            for i in range(ho):
                for j in range(wo):
                    total = 0.0 if b is None else b[o]
                    for c in range(group_channels):
                        for p in range(kh):
                            for q in range(kw):
                                row, col = i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]
                                total += xp[n, first + c, row, col] * w[o, c, p, q]
                    out[n, o, i, j] = total
    return out


# (x shape, w shape, keyword arguments, the loop's stride, pads, dilation)
CASES_2D = [
    ((2, 3, 5, 6), (4, 3, 3, 3), {}, (1, 1), ((0, 0), (0, 0)), (1, 1)),
    ((1, 2, 7, 6), (3, 2, 3, 2), {"stride": (2, 3), "padding": (1, 2)}, (2, 3), ((1, 1), (2, 2)), (1, 1)),
    ((2, 4, 6, 7), (6, 2, 2, 3), {"dilation": (2, 1), "groups": 2, "padding": 1}, (1, 1), ((1, 1), (1, 1)), (2, 1)),
    ((1, 2, 5, 5), (2, 2, 3, 3), {"padding": "valid", "stride": 2}, (2, 2), ((0, 0), (0, 0)), (1, 1)),
    # "same": even totals split evenly; odd totals put the extra zero at the bottom / right, like PyTorch
    ((1, 2, 5, 6), (2, 2, 3, 3), {"padding": "same"}, (1, 1), ((1, 1), (1, 1)), (1, 1)),
    ((1, 2, 5, 6), (2, 2, 2, 4), {"padding": "same"}, (1, 1), ((0, 1), (1, 2)), (1, 1)),
    (
        (2, 3, 6, 6),
        (3, 1, 2, 3),
        {"padding": "same", "dilation": (3, 2), "groups": 3},
        (1, 1),
        ((1, 2), (2, 2)),
        (3, 2),
    ),
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs, stride, pads, dilation", CASES_2D)
def test_conv2d_matches_the_loop(x_shape, w_shape, kwargs, stride, pads, dilation):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    expected = loop_conv2d(x, w, b, stride, pads, dilation, kwargs.get("groups", 1))
    np.testing.assert_allclose(F.conv2d(x, w, b, **kwargs), expected, rtol=1e-10, atol=1e-12)
    out = F.conv2d(mg.tensor(x), mg.tensor(w), **kwargs)  # without bias, on Tensors
    np.testing.assert_allclose(out.data, expected - b[:, None, None], rtol=1e-10, atol=1e-12)
    if kwargs.get("padding") == "same":
        assert out.shape[2:] == x_shape[2:]


def test_conv2d_unbatched_input_gives_an_unbatched_output():
    x, w, b = rng.standard_normal((3, 5, 4)), rng.standard_normal((2, 3, 2, 2)), rng.standard_normal(2)
    out = F.conv2d(mg.tensor(x), w, b, padding=1)
    assert out.shape == (2, 6, 5)
    np.testing.assert_allclose(out.data, loop_conv2d(x[None], w, b, pads=((1, 1), (1, 1)))[0], rtol=1e-10)


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, stride, pads, dilation",
    [
        ((2, 3, 8), (4, 3, 3), {}, 1, (0, 0), 1),
        ((2, 4, 9), (2, 2, 2), {"stride": 2, "padding": 3, "dilation": 2, "groups": 2}, 2, (3, 3), 2),
        ((1, 2, 7), (3, 2, 4), {"padding": "same"}, 1, (1, 2), 1),  # total 3: one before, two after
        ((3, 6), (2, 3, 3), {"padding": (1,), "stride": (3,)}, 3, (1, 1), 1),  # unbatched
    ],
)
def test_conv1d_matches_the_loop_along_one_axis(x_shape, w_shape, kwargs, stride, pads, dilation):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    batched = x if x.ndim == 3 else x[None]
    expected = loop_conv2d(
        batched[:, :, None, :], w[:, :, None, :], b, (1, stride), ((0, 0), pads), (1, dilation), kwargs.get("groups", 1)
    )[:, :, 0, :]
    out = F.conv1d(mg.tensor(x), mg.tensor(w), mg.tensor(b), **kwargs)
    np.testing.assert_allclose(out.data, expected if x.ndim == 3 else expected[0], rtol=1e-10, atol=1e-12)


def test_float32_stays_float32():
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    out = F.conv2d(mg.tensor(x, requires_grad=True), mg.tensor(w, requires_grad=True), padding=1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, loop_conv2d(x, w, pads=((1, 1), (1, 1))), rtol=1e-4, atol=1e-4)


def test_the_three_functions_are_each_others_adjoints():
    """<conv(x, w), g> = <x, ConvTransposeInput(g, w)> = <w, ConvWeightGrad(x, g)>: one trilinear form."""
    x, w = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2))
    kwargs = {"stride": (2, 2), "padding": (1, 0), "dilation": (1, 2), "groups": 2}
    out = F.conv2d(x, w, **kwargs)
    g = rng.standard_normal(out.shape)
    geometry = conv_geometry("conv2d", 2, x.shape, w.shape, **kwargs)
    form = np.sum(out * g)
    assert np.sum(x * ConvTransposeInput(geometry, x.shape[2:])(g, w)) == pytest.approx(form, rel=1e-10)
    assert np.sum(w * ConvWeightGrad(geometry, w.shape[2:])(x, g)) == pytest.approx(form, rel=1e-10)


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (
            lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=(2, 1), dilation=(1, 2)),
            [(2, 2, 5, 6), (3, 2, 2, 2), (3,)],
        ),
        (lambda x, w: F.conv2d(x, w, padding="same", groups=2), [(1, 4, 4, 3), (2, 2, 2, 3)]),
        (lambda x, w, b: F.conv1d(x, w, b, padding="same", dilation=3), [(2, 5), (3, 2, 2), (3,)]),
    ],
)
def test_gradients_first_and_second_order(fn, shapes):
    inputs = tuple(mg.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_backward_through_only_the_weight_or_only_the_input():
    x, w = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    weight = mg.tensor(w, requires_grad=True)
    F.conv2d(x, weight).sum().backward()
    # every output pixel reads each weight once, so d(Σ out)/dw[o, c, p, q] = Σ over windows of x at (p, q)
    expected = np.stack([x[:, :, p : p + 3, q : q + 3].sum(axis=(0, 2, 3)) for p in range(3) for q in range(3)], -1)
    np.testing.assert_allclose(weight.grad, np.broadcast_to(expected.reshape(1, 2, 3, 3), (3, 2, 3, 3)), rtol=1e-10)
    inp = mg.tensor(x, requires_grad=True)
    F.conv2d(inp, w).sum().backward()
    assert inp.grad.shape == x.shape
    assert inp.grad[0, 0, 2, 2] == pytest.approx(w[:, 0].sum())  # the centre pixel is under every kernel offset


def test_a_second_backward_with_retain_graph_gives_the_same_gradients():
    x = mg.tensor(rng.standard_normal((2, 3, 5, 5)), requires_grad=True)
    w = mg.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    out = F.conv2d(x, w, stride=2, padding=1)
    g = rng.standard_normal(out.shape)
    out.backward(g, retain_graph=True)  # the first uses the forward's columns, the second makes them again
    first = x.grad.copy(), w.grad.copy()
    x.grad = w.grad = None
    out.backward(g)
    np.testing.assert_allclose(x.grad, first[0], rtol=1e-12)
    np.testing.assert_allclose(w.grad, first[1], rtol=1e-12)


def test_the_benchmark_baseline_computes_what_minigrad_computes():
    sys.path.insert(
        0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "benchmarks")
    )
    import conv as conv_benchmark

    problem = conv_benchmark.make_problem(3, 4, batch=2, size=6)
    mine, baseline = conv_benchmark.minigrad_step(*problem)(), conv_benchmark.numpy_step(*problem)()
    for name, a, b in zip(("out", "x.grad", "w.grad", "b.grad"), mine, baseline, strict=True):
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=name)


# --- errors -------------------------------------------------------------------------


def test_channel_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        F.conv2d(np.zeros((2, 4, 8, 8)), np.zeros((8, 3, 3, 3)))
    assert "expected input with 3 channels (weight (8, 3, 3, 3), groups=1), got input of shape (2, 4, 8, 8)" in str(
        info.value
    )
    with pytest.raises(ValueError, match=r"expected input with 4 channels \(weight \(6, 2, 3\), groups=2\)"):
        F.conv1d(np.zeros((1, 6, 8)), np.zeros((6, 2, 3)), groups=2)


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, message",
    [
        ((1, 1, 2, 2), (1, 1, 3, 3), {}, r"kernel \(3, 3\).*does not fit in the padded input \(2, 2\)"),
        ((1, 1, 4, 4), (1, 1, 2, 2), {"dilation": 4}, r"spanning \(5, 5\)"),
        ((1, 1, 1, 1), (1, 1, 3, 3), {"padding": (1, 0)}, r"padded input \(3, 1\)"),
        ((1, 5), (1, 1, 3, 3), {}, r"conv2d: expected a 3-D \(unbatched\) or 4-D input .*got shape \(1, 5\)"),
        ((2, 1, 1, 5, 5), (1, 1, 3, 3), {}, r"got shape \(2, 1, 1, 5, 5\)"),
        ((1, 1, 5, 5), (1, 1, 3), {}, r"expected a 4-D weight .*got shape \(1, 1, 3\)"),
        ((1, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}, r"groups=2 does not divide the weight's 3 output channels"),
        ((1, 4, 5, 5), (4, 4, 3, 3), {"groups": 0}, r"groups must be an int >= 1, got 0"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "same", "stride": 2}, r"'same' is not supported for strided"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": -1}, r"padding must be an int >= 0.*got -1"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": (1, -2)}, r"got \(1, -2\)"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "full"}, r"invalid padding string 'full'"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0}, r"stride must be >= 1, got 0"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": (1, 2, 3)}, r"stride must be an int or a tuple of 2 ints"),
        ((1, 1, 5, 5), (1, 1, 3, 3), {"dilation": 1.5}, r"dilation must be an int"),
    ],
)
def test_bad_calls_fail_at_the_call(x_shape, w_shape, kwargs, message):
    with pytest.raises(ValueError, match=message):
        F.conv2d(np.zeros(x_shape), np.zeros(w_shape), **kwargs)


def test_bias_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) does not fit 2 output channels"):
        F.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3)), np.zeros(3))


# --- modules ------------------------------------------------------------------------


def test_conv2d_module_init_is_pytorchs_and_drawn_from_the_global_generator():
    mg.manual_seed(3)
    layer = nn.Conv2d(6, 8, (3, 5), groups=2)
    fan_in = 3 * 3 * 5
    bound = 1 / math.sqrt(fan_in)
    assert layer.weight.shape == (8, 3, 3, 5) and layer.bias.shape == (8,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.9 * bound
    assert np.abs(layer.bias.data).max() <= bound
    draws = np.random.default_rng(3)
    np.testing.assert_array_equal(layer.weight.data, draws.uniform(-bound, bound, (8, 3, 3, 5)).astype(np.float32))
    np.testing.assert_array_equal(layer.bias.data, draws.uniform(-bound, bound, 8).astype(np.float32))
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_conv1d_module_shapes_bias_false_and_forward():
    layer = nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False)
    assert layer.weight.shape == (6, 2, 3) and layer.bias is None
    assert np.abs(layer.weight.data).max() <= 1 / math.sqrt(2 * 3)
    x = rng.standard_normal((2, 4, 9)).astype(np.float32)
    np.testing.assert_array_equal(layer(x).data, F.conv1d(x, layer.weight, None, 2, 1, 2, 2).data)
    assert list(layer.parameters()) == [layer.weight]


def test_module_reprs_like_pytorchs():
    assert repr(nn.Conv2d(1, 32, 3)) == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"
    assert (
        repr(nn.Conv2d(4, 8, (3, 1), stride=2, padding=(1, 0), dilation=2, groups=4, bias=False))
        == "Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 2), padding=(1, 0), dilation=(2, 2), groups=4, bias=False)"
    )
    assert repr(nn.Conv1d(2, 2, 5, padding="same")) == "Conv1d(2, 2, kernel_size=(5,), stride=(1,), padding=same)"


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((3, 8, 3), {"groups": 2}, r"groups=2 must divide in_channels=3 and out_channels=8"),
        ((0, 8, 3), {}, r"in_channels must be an int >= 1, got 0"),
        ((2, 2, 3), {"padding": "same", "stride": 2}, r"'same' is not supported for strided"),
        ((2, 2, 0), {}, r"kernel_size must be >= 1"),
        ((2, 2, 3), {"padding": "half"}, r"invalid padding string 'half'"),
    ],
)
def test_module_arguments_are_checked_at_construction(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(*args, **kwargs)


def test_a_small_cnn_trains_end_to_end():
    """Conv2d -> ReLU -> MaxPool2d -> Flatten -> Linear: backward reaches every parameter; a step lowers the loss."""
    mg.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)
    )
    x = rng.standard_normal((8, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    for p in model.parameters():
        assert p.grad is not None and p.grad.shape == p.shape and np.abs(p.grad).sum() > 0
    optimizer.step()
    assert F.cross_entropy(model(x), y).item() < loss.item()
