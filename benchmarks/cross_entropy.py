"""Forward + backward of the fused softmax cross-entropy on logits (4096, 1000) float32, vs NumPy."""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

SHAPE = (4096, 1000)


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(SHAPE).astype(np.float32) * 3, rng.integers(0, SHAPE[1], SHAPE[0])


def minigrad_step(logits, labels):
    x = mg.tensor(logits, requires_grad=True)

    def step():
        x.grad = None
        F.cross_entropy(x, labels).backward()

    return step


def numpy_step(logits, labels):
    """The straightforward NumPy version: max, exp, sum, divide, subtract one at the targets."""
    rows = np.arange(len(labels))

    def step():
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(sums[:, 0]) - shifted[rows, labels])
        grad = exps / sums
        grad[rows, labels] -= 1
        grad /= len(labels)
        return loss, grad

    return step


def torch_step(torch, logits, labels):
    x = torch.from_numpy(logits).requires_grad_()
    y = torch.from_numpy(labels)

    def step():
        x.grad = None
        torch.nn.functional.cross_entropy(x, y).backward()

    return step


def steps(torch=None):
    logits, labels = make_problem()
    found = {"minigrad": minigrad_step(logits, labels), "numpy": numpy_step(logits, labels)}
    if torch is not None:
        found["torch"] = torch_step(torch, logits, labels)
    return found
