"""The benchmarks' hand-written NumPy baselines compute what minigrad computes: a ratio
against a baseline that does less (or something else) would flatter nobody honestly."""

import os
import sys

import numpy as np
import pytest

import minigrad as mg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
import mlp_step  # noqa: E402
import op_overhead  # noqa: E402


@pytest.mark.parametrize("sizes, batch", [((64, 32, 10), 32), ((20, 16, 16, 5), 8)])
def test_mlp_step_baseline_gives_minigrads_losses_and_weights(sizes, batch):
    found = mlp_step.steps(sizes, batch)
    for _ in range(3):
        mine, baseline = found["minigrad"]().item(), found["numpy"]()
        assert mine == pytest.approx(float(baseline), rel=1e-5)
    x, y, net = mlp_step.make_problem(sizes, batch)
    weights = [m.weight.data.copy() for m in net.modules() if isinstance(m, mg.nn.Linear)]
    biases = [m.bias.data.copy() for m in net.modules() if isinstance(m, mg.nn.Linear)]
    mlp_step.minigrad_step(net, mg.optim.SGD(net.parameters(), lr=mlp_step.LR), x, y)()
    mlp_step.numpy_step(weights, biases, x, y)()
    linears = [m for m in net.modules() if isinstance(m, mg.nn.Linear)]
    for layer, w, b in zip(linears, weights, biases):
        np.testing.assert_allclose(layer.weight.data, w, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer.bias.data, b, rtol=1e-5, atol=1e-7)


def test_op_overhead_baseline_gives_minigrads_gradient():
    x = mg.tensor(np.ones(op_overhead.SIZE, dtype=np.float32), requires_grad=True)
    op_overhead.chain(x, 100).sum().backward()
    baseline = op_overhead.numpy_chain(100)()
    np.testing.assert_allclose(x.grad, baseline, rtol=1e-6)
    assert not np.allclose(baseline, 1.0)  # the chain's gradient is 1.0001**50, not a pass-through


def test_gelu_block_baseline_computes_what_minigrad_computes():
    import gelu_block

    block, x = gelu_block.make_problem()
    gelu_block.minigrad_step(block, x)()
    value, *grads = gelu_block.numpy_step(block, x)()
    for param, grad in zip(block.parameters(), grads):
        np.testing.assert_allclose(param.grad, grad, rtol=2e-4, atol=2e-3)


def test_example_steps_train_the_example_models():
    import example_steps

    for steps in (example_steps.cnn_steps(), example_steps.gpt_steps(batch=4)):
        step = steps["minigrad"]
        step()
        step()
