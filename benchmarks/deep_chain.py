"""A 100,000-op chain, forward + backward: the engine must be iterative (no RecursionError) and cheap."""

import numpy as np

import minigrad as mg
from op_overhead import with_backward

DEPTH = 100_000


def steps(torch=None):
    found = {"minigrad": with_backward(mg.tensor(np.float32(1.0), requires_grad=True), DEPTH)}
    if torch is not None:
        found["torch"] = with_backward(torch.tensor(1.0, requires_grad=True), DEPTH)
    return found
