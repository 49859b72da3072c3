"""A 100,000-op chain, forward + backward: the engine must be iterative (no RecursionError) and cheap."""

import numpy as np

import minigrad as mg

DEPTH = 100_000


def minigrad_chain():
    x = mg.tensor(np.float32(1.0), requires_grad=True)

    def run():
        y = x
        for _ in range(DEPTH // 2):
            y = y * 1.0
            y = y + 0.0
        y.backward()
        x.grad = None
    return run


def torch_chain(torch):
    x = torch.tensor(1.0, requires_grad=True)

    def run():
        y = x
        for _ in range(DEPTH // 2):
            y = y * 1.0
            y = y + 0.0
        y.backward()
        x.grad = None
    return run


def steps(torch=None):
    found = {"minigrad": minigrad_chain()}
    if torch is not None:
        found["torch"] = torch_chain(torch)
    return found
