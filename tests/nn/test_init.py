"""nn.init: PyTorch's gains and fans, bounds and spreads of the draws, in-place writes, seeding, errors."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import Parameter, init
from minigrad.random import manual_seed
from minigrad.tensor import Tensor


def weight(*shape, dtype=np.float32):
    return Parameter(np.zeros(shape, dtype=dtype))


# --- gains --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nonlinearity, param, gain",
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 0, math.sqrt(2)),
        ("leaky_relu", 1, 1.0),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'softmax'"):
        init.calculate_gain("softmax")
    with pytest.raises(ValueError, match="negative_slope 'x'"):
        init.calculate_gain("leaky_relu", "x")
    with pytest.raises(ValueError, match="negative_slope True"):
        init.calculate_gain("leaky_relu", True)


# --- fans and bounds ----------------------------------------------------------------------------

# (shape, fan_in, fan_out): a Linear weight is (out, in); a conv weight is (out, in, *kernel).
FANS = [((20, 50), 50, 20), ((8, 3, 5, 5), 75, 200), ((6, 4, 7), 28, 42), ((1, 1), 1, 1)]


@pytest.mark.parametrize("shape, fan_in, fan_out", FANS)
def test_xavier_uniform_bound(shape, fan_in, fan_out):
    manual_seed(0)
    gain = 1.7
    w = init.xavier_uniform_(weight(*shape, dtype=np.float64), gain=gain)
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    assert np.all(np.abs(w.data) <= bound)
    if w.data.size >= 1000:  # the largest draws come close to the bound
        assert np.max(np.abs(w.data)) > 0.99 * bound


@pytest.mark.parametrize("shape, fan_in, fan_out", FANS)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform_bound(shape, fan_in, fan_out, mode):
    manual_seed(1)
    w = init.kaiming_uniform_(weight(*shape, dtype=np.float64), a=0.2, mode=mode)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(2 / (1 + 0.2**2)) * math.sqrt(3 / fan)
    assert np.all(np.abs(w.data) <= bound)
    if w.data.size >= 1000:
        assert np.max(np.abs(w.data)) > 0.99 * bound


def test_kaiming_uniform_default_is_the_he_bound_for_relu():
    # a=0 with leaky_relu is ReLU's gain sqrt(2): bound sqrt(6 / fan_in).
    manual_seed(2)
    w = init.kaiming_uniform_(weight(300, 150, dtype=np.float64))
    assert np.max(np.abs(w.data)) <= math.sqrt(6 / 150)
    assert np.max(np.abs(w.data)) > 0.999 * math.sqrt(6 / 150)


def test_uniform_bounds_mean_and_spread():
    manual_seed(3)
    t = init.uniform_(Tensor(np.zeros(200_000)), a=-2.0, b=3.0)
    assert t.data.min() >= -2.0 and t.data.max() < 3.0
    assert t.data.mean() == pytest.approx(0.5, abs=0.02)
    assert t.data.std() == pytest.approx(5 / math.sqrt(12), rel=0.01)


def test_normal_mean_and_std():
    manual_seed(4)
    t = init.normal_(Tensor(np.zeros((400, 500))), mean=1.5, std=0.25)
    assert t.data.mean() == pytest.approx(1.5, abs=0.002)
    assert t.data.std() == pytest.approx(0.25, rel=0.01)


@pytest.mark.parametrize(
    "fill, shape, std",
    [
        (lambda w: init.xavier_normal_(w), (400, 600), math.sqrt(2 / 1000)),
        (lambda w: init.xavier_normal_(w, gain=3.0), (64, 32, 3, 3), 3.0 * math.sqrt(2 / (288 + 576))),
        (lambda w: init.kaiming_normal_(w), (500, 400), math.sqrt(2 / 400)),
        (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"), (64, 32, 3, 3), math.sqrt(2 / 576)),
        (lambda w: init.kaiming_normal_(w, nonlinearity="tanh"), (300, 700), (5 / 3) / math.sqrt(700)),
    ],
)
def test_normal_inits_have_the_fan_std(fill, shape, std):
    manual_seed(5)
    w = fill(weight(*shape))
    assert abs(w.data.mean()) < 3 * std / math.sqrt(w.data.size) + 1e-7
    assert w.data.std() == pytest.approx(std, rel=0.02)


# --- in place, seeding, grad mode ---------------------------------------------------------------

FILLS = {
    "uniform_": lambda t: init.uniform_(t, -1.0, 1.0),
    "normal_": lambda t: init.normal_(t),
    "constant_": lambda t: init.constant_(t, 0.3),
    "zeros_": init.zeros_,
    "ones_": init.ones_,
    "xavier_uniform_": init.xavier_uniform_,
    "xavier_normal_": init.xavier_normal_,
    "kaiming_uniform_": init.kaiming_uniform_,
    "kaiming_normal_": init.kaiming_normal_,
}


@pytest.mark.parametrize("name", sorted(FILLS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_writes_into_the_same_array_in_its_dtype_and_returns_the_tensor(name, dtype):
    w = weight(6, 4, dtype=dtype)
    array = w.data
    version = getattr(w, "_version", 0)
    assert FILLS[name](w) is w
    assert w.data is array and w.data.dtype == dtype
    assert w._version == version + 1
    assert w.requires_grad and w.grad is None


@pytest.mark.parametrize("name", sorted(FILLS))
def test_same_draws_after_manual_seed(name):
    manual_seed(123)
    first = FILLS[name](weight(5, 7)).data.copy()
    manual_seed(123)
    np.testing.assert_array_equal(FILLS[name](weight(5, 7)).data, first)


def test_draws_come_from_the_global_generator():
    manual_seed(7)
    w = init.uniform_(weight(3, 4), -0.5, 0.5)
    want = np.random.default_rng(7).uniform(-0.5, 0.5, size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(w.data, want)
    manual_seed(7)
    w = init.kaiming_normal_(weight(3, 4, 2), mode="fan_out")
    want = np.random.default_rng(7).normal(0.0, math.sqrt(2 / 6), size=(3, 4, 2)).astype(np.float32)
    np.testing.assert_array_equal(w.data, want)


def test_constant_values():
    w = weight(2, 3)
    np.testing.assert_array_equal(init.constant_(w, -1.25).data, np.full((2, 3), -1.25))
    np.testing.assert_array_equal(init.zeros_(w).data, np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones_(w).data, np.ones((2, 3)))
    counts = Tensor(np.array([5, 6, 7]))
    assert init.constant_(counts, 2).data.tolist() == [2, 2, 2] and counts.data.dtype.kind == "i"


def test_works_with_grad_mode_on_and_off_on_tensors_that_require_grad():
    w = weight(4, 4)
    assert mg.is_grad_enabled()
    init.xavier_uniform_(w)
    assert w.is_leaf and np.any(w.data != 0)
    with mg.no_grad():
        init.zeros_(w)
    np.testing.assert_array_equal(w.data, 0)


def test_a_layer_reinitialised_in_place_still_trains():
    layer = mg.nn.Linear(3, 2)
    init.kaiming_normal_(layer.weight, nonlinearity="relu")
    init.zeros_(layer.bias)
    loss = layer(Tensor(np.ones((1, 3), dtype=np.float32))).sum()
    loss.backward()
    np.testing.assert_array_equal(layer.bias.grad, [1.0, 1.0])


@pytest.mark.skipif(not hasattr(Tensor, "_version"), reason="Tensor has no _version slot yet")
def test_plain_tensors_count_the_write():
    t = Tensor(np.zeros((2, 2)))
    init.normal_(t)
    init.ones_(t)
    assert t._version == 2


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("shape", [(5,), ()])
def test_fans_need_two_dimensions(name, shape):
    w = weight(*shape)
    with pytest.raises(ValueError, match=rf"fewer than 2 dimensions \(got shape \({shape[0] if shape else ''}"):
        FILLS[name](w)
    np.testing.assert_array_equal(w.data, 0)


def test_other_errors():
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_uniform_(weight(2, 2), mode="fan_avg")
    with pytest.raises(TypeError, match="Tensor.*ndarray"):
        init.uniform_(np.zeros(3))
    with pytest.raises(TypeError, match="int64"):
        init.normal_(Tensor(np.zeros(3, dtype=np.int64)))
    with pytest.raises(ValueError, match="std >= 0.*-1"):
        init.normal_(weight(2), std=-1)


def test_kaiming_on_a_tensor_with_no_elements_returns_it():
    w = weight(0, 3)
    assert init.kaiming_uniform_(w) is w and w.data.shape == (0, 3)
