"""Max, average and adaptive average pooling against loops written out here; gradients, ties, errors, modules."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

rng = np.random.default_rng(11)


def loop_pool2d(x, kernel, stride, padding, reduce, fill):
    """Each window of the input padded with ``fill``, reduced by ``reduce``, one output element at a time."""
    n_batch, channels, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.full((n_batch, channels, h + 2 * ph, w + 2 * pw), fill)
    xp[:, :, ph : ph + h, pw : pw + w] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n_batch, channels, ho, wo))
    for n in range(n_batch):
        for c in range(channels):
            for i in range(ho):
                for j in range(wo):
                    out[n, c, i, j] = reduce(xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw])
    return out


def loop_max(x, kernel, stride, padding):
    return loop_pool2d(x, kernel, stride, padding, np.max, -np.inf)


def loop_avg(x, kernel, stride, padding):
    return loop_pool2d(x, kernel, stride, padding, lambda window: window.sum() / window.size, 0.0)  # zeros counted


POOL_CASES = [  # (x shape, kernel, stride, padding)
    ((2, 3, 6, 6), (2, 2), None, (0, 0)),
    ((1, 2, 7, 5), (3, 2), (2, 1), (1, 1)),
    ((2, 1, 5, 6), (3, 3), (1, 2), (1, 0)),  # overlapping windows
    ((1, 2, 5, 5), (2, 3), (3, 3), (0, 1)),  # stride past the kernel: some inputs in no window
]


@pytest.mark.parametrize("shape, kernel, stride, padding", POOL_CASES)
def test_max_and_avg_pool2d_match_the_loop(shape, kernel, stride, padding):
    x = rng.standard_normal(shape)
    loop_stride = kernel if stride is None else stride
    np.testing.assert_array_equal(F.max_pool2d(x, kernel, stride, padding), loop_max(x, kernel, loop_stride, padding))
    np.testing.assert_allclose(
        F.avg_pool2d(mg.tensor(x), kernel, stride, padding).data, loop_avg(x, kernel, loop_stride, padding), rtol=1e-12
    )


def test_int_arguments_and_unbatched_inputs():
    x = rng.standard_normal((3, 7, 6))
    np.testing.assert_array_equal(F.max_pool2d(x, 3, 2, 1), loop_max(x[None], (3, 3), (2, 2), (1, 1))[0])
    np.testing.assert_allclose(F.avg_pool2d(x, 2), loop_avg(x[None], (2, 2), (2, 2), (0, 0))[0], rtol=1e-12)


@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 9)])
def test_pool1d_is_pooling_along_the_last_axis(shape):
    x = rng.standard_normal(shape)
    rows = x.reshape(-1, 1, 1, 9)
    expected_max = loop_max(rows, (1, 3), (1, 2), (0, 1)).reshape(*shape[:-1], -1)
    expected_avg = loop_avg(rows, (1, 4), (1, 3), (0, 2)).reshape(*shape[:-1], -1)
    np.testing.assert_array_equal(F.max_pool1d(mg.tensor(x), 3, 2, 1).data, expected_max)
    np.testing.assert_allclose(F.avg_pool1d(x, 4, 3, 2), expected_avg, rtol=1e-12)
    np.testing.assert_array_equal(F.max_pool1d(x, 3), loop_max(rows, (1, 3), (1, 3), (0, 0)).reshape(*shape[:-1], -1))


def test_max_pool_gradient_goes_to_the_first_maximum_of_each_window():
    x = np.array([[[[1.0, 1.0, 0.0, 2.0], [0.0, 1.0, 2.0, 2.0], [3.0, 3.0, 5.0, 4.0], [3.0, 3.0, 4.0, 5.0]]]])
    t = mg.tensor(x, requires_grad=True)
    F.max_pool2d(t, 2).sum().backward()
    expected = np.zeros_like(x)
    expected[0, 0, 0, 0] = expected[0, 0, 0, 3] = expected[0, 0, 2, 0] = expected[0, 0, 2, 2] = 1.0
    np.testing.assert_array_equal(t.grad, expected)


def test_overlapping_windows_accumulate_the_gradient():
    x = np.array([[[0.0, 5.0, 1.0, 2.0, 0.0]]])
    t = mg.tensor(x, requires_grad=True)
    out = F.max_pool1d(t, 3, stride=1)  # windows [0 5 1] [5 1 2] [1 2 0]: maxima at 1, 1, 3
    np.testing.assert_array_equal(out.data, [[[5.0, 5.0, 2.0]]])
    (out * mg.tensor([[[1.0, 10.0, 100.0]]], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(t.grad, [[[0.0, 11.0, 0.0, 100.0, 0.0]]])


def test_a_window_of_minus_infinity_sends_its_gradient_to_its_first_real_position():
    x = np.full((1, 1, 2, 3), -np.inf)
    t = mg.tensor(x, requires_grad=True)
    out = F.max_pool2d(t, 2, stride=2, padding=1)  # windows over rows -1..0, 1..2 and columns -1..0, 1..2
    assert out.shape == (1, 1, 2, 2) and np.all(out.data == -np.inf)
    out.sum().backward()  # each window's first real position: (0, 0), (0, 1), (1, 0), (1, 1), never the padding
    np.testing.assert_array_equal(t.grad, [[[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]]])


def test_nan_is_the_maximum_like_pytorch():
    x = np.array([[[1.0, np.nan, 3.0, 2.0]]])
    t = mg.tensor(x, requires_grad=True)
    out = F.max_pool1d(t, 2)
    assert np.isnan(out.data[0, 0, 0]) and out.data[0, 0, 1] == 3.0
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [[[0.0, 1.0, 1.0, 0.0]]])


def loop_adaptive(x, out_h, out_w):
    """PyTorch's windows: rows floor(i·H/oh) up to ceil((i+1)·H/oh), the same for columns."""
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, bottom = math.floor(i * h / out_h), math.ceil((i + 1) * h / out_h)
            left, right = math.floor(j * w / out_w), math.ceil((j + 1) * w / out_w)
            out[..., i, j] = x[..., top:bottom, left:right].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize(
    "shape, output_size, expected_hw",
    [
        ((2, 3, 5, 7), (3, 4), (3, 4)),  # neither divides: overlapping windows
        ((2, 3, 6, 4), 2, (2, 2)),
        ((1, 2, 5, 7), (None, 3), (5, 3)),
        ((3, 4, 5), (6, None), (6, 5)),  # unbatched; more outputs than rows
        ((1, 1, 4, 4), 1, (1, 1)),  # global average pooling
    ],
)
def test_adaptive_avg_pool2d_matches_the_loop(shape, output_size, expected_hw):
    x = rng.standard_normal(shape)
    out = F.adaptive_avg_pool2d(mg.tensor(x), output_size)
    assert out.shape == shape[:-2] + expected_hw
    np.testing.assert_allclose(out.data, loop_adaptive(x, *expected_hw), rtol=1e-12)


def test_adaptive_keeps_float32():
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    assert F.adaptive_avg_pool2d(mg.tensor(x), 2).dtype == np.float32


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda x: F.avg_pool2d(x, (3, 2), (2, 1), (1, 1)), (2, 2, 5, 4)),
        (lambda x: F.avg_pool1d(x, 3, 2, 1), (2, 7)),
        (lambda x: F.adaptive_avg_pool2d(x, (3, 2)), (1, 2, 5, 5)),
        (lambda x: F.max_pool2d(x * x, 2, 1), (1, 2, 4, 4)),  # a non-linear input so second order is not zero
    ],
)
def test_gradients_first_and_second_order(fn, shape):
    x = mg.tensor(rng.permutation(math.prod(shape)).reshape(shape) * 0.1 + 0.05, requires_grad=True)
    assert mg.gradcheck(fn, (x,))
    assert mg.gradgradcheck(fn, (x,))


@pytest.mark.parametrize(
    "fn, args, message",
    [
        (F.max_pool2d, ((1, 1, 5, 5), 3, None, 2), r"padding should be at most half of the kernel size"),
        (F.avg_pool1d, ((1, 1, 5), 2, None, 2), r"padding should be at most half"),
        (F.max_pool2d, ((1, 1, 2, 2), 3), r"kernel \(3, 3\) does not fit in the input of shape \(1, 1, 2, 2\)"),
        (F.avg_pool2d, ((1, 1, 4, 2), (2, 3), 1, 0), r"output size \(3, 0\)"),
        (F.max_pool2d, ((5, 5), 2), r"expected a 3-D or 4-D input .*got shape \(5, 5\)"),
        (F.max_pool1d, ((1, 1, 5, 5), 2), r"expected a 2-D or 3-D input .*got shape \(1, 1, 5, 5\)"),
        (F.max_pool2d, ((1, 1, 5, 5), 2, 0), r"stride must be >= 1, got 0"),
        (F.avg_pool2d, ((1, 1, 5, 5), 0), r"kernel_size must be >= 1"),
        (F.avg_pool2d, ((1, 1, 5, 5), 2, None, -1), r"padding must be >= 0"),
    ],
)
def test_bad_pooling_calls(fn, args, message):
    with pytest.raises(ValueError, match=message):
        fn(np.zeros(args[0]), *args[1:])


@pytest.mark.parametrize(
    "shape, output_size, message",
    [
        ((1, 1, 4, 4), 0, r"output_size must be ints >= 1 \(or None to keep a size\), got 0"),
        ((1, 1, 4, 4), (2, 2, 2), r"must be an int or a pair, got \(2, 2, 2\)"),
        ((1, 1, 4, 4), (2, 1.5), r"got \(2, 1.5\)"),
        ((4, 4), 2, r"expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got shape \(4, 4\)"),
        ((1, 1, 0, 4), 2, r"H and W must be > 0"),
    ],
)
def test_bad_adaptive_output_sizes(shape, output_size, message):
    with pytest.raises(ValueError, match=message):
        F.adaptive_avg_pool2d(np.zeros(shape), output_size)


def test_pool_modules_call_the_functions_and_repr_like_pytorch():
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.AvgPool2d((3, 2), 1, 1)) == "AvgPool2d(kernel_size=(3, 2), stride=1, padding=1)"
    assert repr(nn.AdaptiveAvgPool2d((2, None))) == "AdaptiveAvgPool2d(output_size=(2, None))"
    np.testing.assert_array_equal(nn.MaxPool2d(3, 2, 1)(x).data, F.max_pool2d(x, 3, 2, 1))
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data, F.avg_pool2d(x, 2).data)
    np.testing.assert_array_equal(nn.AdaptiveAvgPool2d(4)(x).data, F.adaptive_avg_pool2d(x, 4).data)
    rows = x.reshape(2, 3, 36)
    np.testing.assert_array_equal(nn.MaxPool1d(4)(rows).data, F.max_pool1d(rows, 4))
    np.testing.assert_array_equal(nn.AvgPool1d(3, 2, 1)(rows).data, F.avg_pool1d(rows, 3, 2, 1).data)
    with pytest.raises(ValueError, match="padding should be at most half"):
        nn.MaxPool2d(2, padding=2)  # at construction, not at the first call
