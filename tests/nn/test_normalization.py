"""Batch norm and layer norm against their formulas written out here, their gradients
(first and second order), running statistics, train/eval, and save/load."""

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

rng = np.random.default_rng(0)


def batch_statistics(x):
    """Per-channel mean, biased and unbiased variance over every axis but 1, by sums."""
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    mean = x.sum(axis=axes) / n
    shape = (1, -1) + (1,) * (x.ndim - 2)
    squares = ((x - mean.reshape(shape)) ** 2).sum(axis=axes)
    return mean, squares / n, squares / (n - 1)


def normalized(x, mean, var, weight=None, bias=None, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


# ------------------------------------------------------------------ F.batch_norm


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 5)])
def test_batch_norm_training_normalises_with_the_biased_batch_variance(shape):
    x = rng.standard_normal(shape) * 3.0 + 1.5
    weight, bias = rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)
    out = F.batch_norm(mg.tensor(x), None, None, mg.tensor(weight), mg.tensor(bias), training=True)
    mean, biased, _ = batch_statistics(x)
    np.testing.assert_allclose(out.data, normalized(x, mean, biased, weight, bias), rtol=1e-10, atol=1e-12)


def test_batch_norm_training_updates_running_statistics_in_place_with_the_unbiased_variance():
    x = rng.standard_normal((6, 3, 4))
    running_mean, running_var = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 0.5])
    mean_before, var_before = running_mean.copy(), running_var.copy()
    same_mean, same_var = running_mean, running_var
    F.batch_norm(mg.tensor(x), running_mean, running_var, training=True, momentum=0.3)
    mean, _, unbiased = batch_statistics(x)
    assert running_mean is same_mean and running_var is same_var
    np.testing.assert_allclose(running_mean, 0.7 * mean_before + 0.3 * mean, rtol=1e-12)
    np.testing.assert_allclose(running_var, 0.7 * var_before + 0.3 * unbiased, rtol=1e-12)


def test_batch_norm_eval_uses_the_running_statistics_and_leaves_them_alone():
    x = rng.standard_normal((5, 3, 2))
    running_mean, running_var = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 0.5])
    weight, bias = rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)
    out = F.batch_norm(mg.tensor(x), running_mean, running_var, mg.tensor(weight), mg.tensor(bias), eps=1e-3)
    expected = normalized(x, np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 0.5]), weight, bias, eps=1e-3)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_array_equal(running_mean, [0.5, -1.0, 2.0])
    np.testing.assert_array_equal(running_var, [1.0, 2.0, 0.5])


def test_batch_norm_keeps_float32():
    x = mg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    weight = mg.tensor(np.ones(3, dtype=np.float32))
    assert F.batch_norm(x, None, None, weight, training=True).dtype == np.float32
    stats = np.zeros(3, dtype=np.float32), np.ones(3, dtype=np.float32)
    assert F.batch_norm(x, *stats, weight).dtype == np.float32


def test_batch_norm_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(4,\).*\(3,\)"):
        F.batch_norm(mg.tensor(np.zeros((2, 3))), np.zeros(4), np.ones(3))
    with pytest.raises(ValueError, match="more than 1 value per channel.*\\(1, 3\\)"):
        F.batch_norm(mg.tensor(np.zeros((1, 3))), None, None, training=True)
    with pytest.raises(TypeError, match="momentum must be a number"):
        F.batch_norm(mg.tensor(np.zeros((2, 3))), np.zeros(3), np.ones(3), training=True, momentum=None)
    with pytest.raises(ValueError, match="running_mean and running_var"):
        F.batch_norm(mg.tensor(np.zeros((2, 3))), None, None, training=False)
    with pytest.raises(ValueError, match=r"\(N, C, \.\.\.\).*\(3,\)"):
        F.batch_norm(mg.tensor(np.zeros(3)), None, None, training=True)


def test_batch_norm_gradients_first_and_second_order_in_training():
    x = mg.tensor(rng.standard_normal((4, 3, 2)), requires_grad=True)
    weight = mg.tensor(rng.uniform(0.5, 2.0, 3), requires_grad=True)
    bias = mg.tensor(rng.standard_normal(3), requires_grad=True)

    def fn(x, weight, bias):
        return F.batch_norm(x, None, None, weight, bias, training=True)

    assert mg.gradcheck(fn, (x, weight, bias))
    assert mg.gradgradcheck(fn, (x, weight, bias))


def test_batch_norm_gradients_in_eval_and_without_affine():
    x = mg.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    weight = mg.tensor(rng.uniform(0.5, 2.0, 2), requires_grad=True)
    stats = np.array([0.3, -0.2]), np.array([0.8, 1.5])
    assert mg.gradgradcheck(lambda x, w: F.batch_norm(x, *stats, w), (x, weight))
    assert mg.gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_batch_norm_gradient_of_a_normalised_batch_sums_to_zero_per_channel():
    # x̂ is invariant to shifting a channel, so d(Σ r·x̂)/dx sums to 0 over each channel
    x = mg.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    F.batch_norm(x, None, None, training=True).backward(rng.standard_normal((5, 3)))
    np.testing.assert_allclose(x.grad.sum(axis=0), 0.0, atol=1e-12)


# ------------------------------------------------------------------ BatchNorm modules


def test_batchnorm_initial_state_like_pytorch():
    bn = nn.BatchNorm2d(4)
    np.testing.assert_array_equal(bn.weight.data, np.ones(4))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(4))
    assert bn.weight.dtype == np.float32
    np.testing.assert_array_equal(bn.running_mean, np.zeros(4))
    np.testing.assert_array_equal(bn.running_var, np.ones(4))
    assert bn.num_batches_tracked.shape == () and bn.num_batches_tracked.dtype == np.int64
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(bn) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"


def test_batchnorm_running_statistics_after_several_steps():
    bn = nn.BatchNorm1d(3, momentum=0.2)
    expected_mean, expected_var = np.zeros(3), np.ones(3)
    for step in range(4):
        x = (rng.standard_normal((6, 3, 5)) * (step + 1) + step).astype(np.float32)
        out = bn(mg.tensor(x))
        mean, biased, unbiased = batch_statistics(x.astype(np.float64))
        np.testing.assert_allclose(out.data, normalized(x, mean, biased), rtol=1e-4, atol=1e-5)
        expected_mean = 0.8 * expected_mean + 0.2 * mean
        expected_var = 0.8 * expected_var + 0.2 * unbiased
    np.testing.assert_allclose(bn.running_mean, expected_mean, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var, expected_var, rtol=1e-5)
    assert int(bn.num_batches_tracked) == 4
    assert bn.running_mean.dtype == np.float32


def test_batchnorm_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    means, variances = [], []
    for _ in range(3):
        x = rng.standard_normal((5, 2)) * 2.0 + 1.0
        bn(mg.tensor(x.astype(np.float32)))
        mean, _, unbiased = batch_statistics(x.astype(np.float32).astype(np.float64))
        means.append(mean)
        variances.append(unbiased)
    np.testing.assert_allclose(bn.running_mean, np.mean(means, axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var, np.mean(variances, axis=0), rtol=1e-5)


def test_batchnorm_eval_uses_running_statistics_and_train_eval_switch():
    mg.manual_seed(0)
    bn = nn.BatchNorm2d(2)
    bn.running_mean[...] = [1.0, -2.0]
    bn.running_var[...] = [4.0, 0.25]
    bn.weight.data[...] = [2.0, 0.5]
    bn.bias.data[...] = [0.1, 0.2]
    x = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    bn.eval()
    eval_out = bn(mg.tensor(x)).data
    expected = normalized(x, np.array([1.0, -2.0]), np.array([4.0, 0.25]), np.array([2.0, 0.5]), np.array([0.1, 0.2]))
    np.testing.assert_allclose(eval_out, expected, rtol=1e-5, atol=1e-6)
    assert int(bn.num_batches_tracked) == 0
    np.testing.assert_array_equal(bn.running_mean, [1.0, -2.0])  # eval never updates
    bn.train()
    train_out = bn(mg.tensor(x)).data
    mean, biased, _ = batch_statistics(x.astype(np.float64))
    expected_train = normalized(x, mean, biased, np.array([2.0, 0.5]), np.array([0.1, 0.2]))
    np.testing.assert_allclose(train_out, expected_train, rtol=1e-4, atol=1e-5)
    assert int(bn.num_batches_tracked) == 1


def test_batchnorm_without_running_statistics_uses_the_batch_in_eval_too():
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    assert bn.running_mean is None and bn.running_var is None and bn.num_batches_tracked is None
    assert list(bn.state_dict()) == ["weight", "bias"] and list(bn.buffers()) == []
    x = rng.standard_normal((4, 3)).astype(np.float32)
    bn.eval()
    mean, biased, _ = batch_statistics(x.astype(np.float64))
    np.testing.assert_allclose(bn(mg.tensor(x)).data, normalized(x, mean, biased), rtol=1e-4, atol=1e-5)


def test_batchnorm_without_affine_has_no_parameters():
    bn = nn.BatchNorm1d(3, affine=False)
    assert list(bn.parameters()) == [] and bn.weight is None and bn.bias is None
    x = rng.standard_normal((4, 3)).astype(np.float32)
    mean, biased, _ = batch_statistics(x.astype(np.float64))
    np.testing.assert_allclose(bn(mg.tensor(x)).data, normalized(x, mean, biased), rtol=1e-4, atol=1e-5)


def test_batchnorm_checks_the_input_shape():
    with pytest.raises(ValueError, match=r"BatchNorm1d expects 2D or 3D input.*\(2, 3, 4, 5\)"):
        nn.BatchNorm1d(3)(mg.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match=r"BatchNorm2d expects 4D input.*\(2, 3\)"):
        nn.BatchNorm2d(3)(mg.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"axis 1 has 4 channels, expected 3"):
        nn.BatchNorm1d(3)(mg.zeros((2, 4)))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm1d(0)
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=1.5)


def test_batchnorm_trains_its_parameters():
    bn = nn.BatchNorm1d(2)
    x = mg.tensor(rng.standard_normal((6, 2)).astype(np.float32))
    target = rng.standard_normal((6, 2)).astype(np.float32)
    (bn(x) * mg.tensor(target)).sum().backward()
    mean, biased, _ = batch_statistics(x.data.astype(np.float64))
    np.testing.assert_allclose(bn.bias.grad, target.sum(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.weight.grad, (target * normalized(x.data, mean, biased)).sum(axis=0), rtol=1e-4)


def test_batchnorm_model_round_trips_through_save_and_load(tmp_path):
    mg.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    for _ in range(3):
        model(mg.tensor(rng.standard_normal((8, 4)).astype(np.float32)))
    model.eval()
    x = mg.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    path = tmp_path / "bn.npz"
    mg.save(model.state_dict(), path)
    mg.manual_seed(2)
    twin = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2)).eval()
    assert not np.allclose(twin(x).data, model(x).data)
    twin.load_state_dict(mg.load(path))
    np.testing.assert_array_equal(twin(x).data, model(x).data)
    np.testing.assert_array_equal(twin[1].running_var, model[1].running_var)
    assert int(twin[1].num_batches_tracked) == 3 and twin[1].num_batches_tracked.dtype == np.int64


def test_batchnorm_to_float64_casts_statistics_but_not_the_counter():
    bn = nn.BatchNorm1d(2).to(mg.float64)
    assert bn.weight.dtype == bn.running_mean.dtype == bn.running_var.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float64 parameters: no float64 warning
        assert bn(mg.tensor(rng.standard_normal((3, 2)))).dtype == np.float64


def test_normalisation_layers_warn_once_about_float64_inputs():
    for layer, shape in ((nn.BatchNorm1d(3), (4, 3)), (nn.LayerNorm(3), (4, 3))):
        with pytest.warns(UserWarning, match=f"{type(layer).__name__}.*float64"):
            layer(mg.tensor(rng.standard_normal(shape)))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            layer(mg.tensor(rng.standard_normal(shape)))


# --------------------------------------------------------------------- layer norm


def layer_norm_reference(x, count, weight=None, bias=None, eps=1e-5):
    axes = tuple(range(x.ndim - count, x.ndim))
    n = np.prod(x.shape[x.ndim - count :])
    mean = x.sum(axis=axes, keepdims=True) / n
    var = ((x - mean) ** 2).sum(axis=axes, keepdims=True) / n
    out = (x - mean) / np.sqrt(var + eps)
    return out * (1 if weight is None else weight) + (0 if bias is None else bias)


@pytest.mark.parametrize("shape, normalized_shape", [((4, 5), 5), ((2, 3, 4), (3, 4)), ((2, 3, 4), (4,)), ((6,), 6)])
def test_layer_norm_by_its_formula(shape, normalized_shape):
    x = rng.standard_normal(shape) * 2.0 + 0.5
    trailing = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    weight, bias = rng.uniform(0.5, 2.0, trailing), rng.standard_normal(trailing)
    out = F.layer_norm(mg.tensor(x), normalized_shape, mg.tensor(weight), mg.tensor(bias), eps=1e-4)
    expected = layer_norm_reference(x, len(trailing), weight, bias, eps=1e-4)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


def test_layer_norm_gradients_first_and_second_order():
    x = mg.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    weight = mg.tensor(rng.uniform(0.5, 2.0, (2, 4)), requires_grad=True)
    bias = mg.tensor(rng.standard_normal((2, 4)), requires_grad=True)

    def fn(x, weight, bias):
        return F.layer_norm(x, (2, 4), weight, bias)

    assert mg.gradcheck(fn, (x, weight, bias))
    assert mg.gradgradcheck(fn, (x, weight, bias))


def test_layer_norm_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3, 5\).*\(2, 3, 4\)"):
        F.layer_norm(mg.zeros((2, 3, 4)), (3, 5))
    with pytest.raises(ValueError, match=r"weight.*\(4,\).*\(5,\)"):
        F.layer_norm(mg.zeros((2, 5)), 5, weight=mg.ones(4))
    with pytest.raises(ValueError, match=r"\(5,\).*\(5, 2\)"):
        nn.LayerNorm(5)(mg.zeros((5, 2)))
    with pytest.raises(ValueError, match="positive ints"):
        nn.LayerNorm((3, 0))


def test_layernorm_module():
    ln = nn.LayerNorm((2, 3), eps=1e-3)
    assert ln.normalized_shape == (2, 3)
    assert ln.weight.shape == (2, 3) and ln.weight.dtype == np.float32
    np.testing.assert_array_equal(ln.weight.data, 1.0)
    np.testing.assert_array_equal(ln.bias.data, 0.0)
    assert repr(ln) == "LayerNorm((2, 3), eps=0.001, elementwise_affine=True)"
    ln.weight.data[...] = rng.uniform(0.5, 2.0, (2, 3))
    x = rng.standard_normal((4, 2, 3)).astype(np.float32)
    out = ln(mg.tensor(x))
    assert out.dtype == np.float32
    expected = layer_norm_reference(x.astype(np.float64), 2, ln.weight.data, ln.bias.data, eps=1e-3)
    np.testing.assert_allclose(out.data, expected, rtol=1e-4, atol=1e-5)
    assert list(nn.LayerNorm(3, elementwise_affine=False).parameters()) == []
