"""One training step of an MLP (forward, fused cross-entropy, backward, SGD): minigrad vs NumPy.

``mlp_step``: 784-256-256-10, batch 128; ``mlp_small``: 64-32-10, batch 32; ReLU, float32.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim

LR = 0.01


def make_problem(sizes, batch, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    mg.manual_seed(seed)
    model = nn.MLP(sizes)
    return x, y, model


def minigrad_step(model, optimizer, x, y):
    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def numpy_step(weights, biases, x, y):
    """The same step written by hand: forward, the loss and its gradient softmax - onehot, backward, in-place SGD."""
    rows = np.arange(len(y))

    def step():
        activations, pre = [x], []
        for i, (w, b) in enumerate(zip(weights, biases)):
            h = activations[-1] @ w.T
            h += b
            pre.append(h)
            activations.append(np.maximum(h, 0) if i < len(weights) - 1 else h)
        logits = activations[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        picked = shifted[rows, y]
        np.exp(shifted, out=shifted)
        sums = shifted.sum(axis=1, keepdims=True)
        loss = (np.log(sums[:, 0]) - picked).sum() / len(y)  # the loss value: mean of log Σ exp - the label's logit
        grad = shifted / sums
        grad[rows, y] -= 1
        grad /= len(y)
        for i in reversed(range(len(weights))):
            w_grad = grad.T @ activations[i]
            b_grad = grad.sum(axis=0)
            if i > 0:
                grad = grad @ weights[i]
                grad *= pre[i - 1] > 0
            weights[i] -= LR * w_grad
            biases[i] -= LR * b_grad
        return loss

    return step


def torch_step(torch, sizes, x, y):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(tx), ty)
        loss.backward()
        optimizer.step()
        return loss

    return step


def steps(sizes, batch, torch=None):
    """The step functions to time, by name."""
    x, y, model = make_problem(sizes, batch)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    weights = [m.weight.data.copy() for m in linears]
    biases = [m.bias.data.copy() for m in linears]
    found = {
        "minigrad": minigrad_step(model, optim.SGD(model.parameters(), lr=LR), x, y),
        "numpy": numpy_step(weights, biases, x, y),
    }
    if torch is not None:
        found["torch"] = torch_step(torch, sizes, x, y)
    return found
