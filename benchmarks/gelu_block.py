"""An elementwise-heavy block: Linear 512->512, exact GELU, Linear 512->512, then a sum; forward + backward.

Batch 128, float32. The baseline writes the same block by hand in NumPy, with the exact
GELU x·Φ(x) and its derivative Φ(x) + x·φ(x), using minigrad's erf (NumPy has none), so
both sides pay for the same erf.
"""

import math

import numpy as np

import minigrad as mg
import minigrad.nn as nn
from minigrad.ops.maths import erf

BATCH, WIDTH = 128, 512


def make_problem(seed=0):
    mg.manual_seed(seed)
    block = nn.Sequential(nn.Linear(WIDTH, WIDTH), nn.GELU(), nn.Linear(WIDTH, WIDTH))
    x = np.random.default_rng(seed).standard_normal((BATCH, WIDTH)).astype(np.float32)
    return block, x


def minigrad_step(block, x):
    inputs = mg.tensor(x)

    def step():
        block.zero_grad()
        block(inputs).sum().backward()

    return step


def numpy_step(block, x):
    w1, b1, w2, b2 = (p.data.copy() for p in block.parameters())

    def step():
        h = x @ w1.T + b1
        cdf = 0.5 * (1 + erf(h * np.float32(1 / math.sqrt(2))))
        a = h * cdf
        out = a @ w2.T + b2
        g_out = np.ones_like(out)
        g_w2, g_b2, g_a = g_out.T @ a, g_out.sum(axis=0), g_out @ w2
        pdf = np.exp(-0.5 * h * h) * np.float32(1 / math.sqrt(2 * math.pi))
        g_h = g_a * (cdf + h * pdf)  # d gelu / dh = Φ(h) + h·φ(h)
        g_w1, g_b1 = g_h.T @ x, g_h.sum(axis=0)
        return out.sum(), g_w1, g_b1, g_w2, g_b2

    return step


def torch_step(torch, block, x):
    layers = torch.nn.Sequential(torch.nn.Linear(WIDTH, WIDTH), torch.nn.GELU(), torch.nn.Linear(WIDTH, WIDTH))
    with torch.no_grad():
        for theirs, ours in zip(layers.parameters(), block.parameters()):
            theirs.copy_(torch.from_numpy(ours.data))
    inputs = torch.from_numpy(x)

    def step():
        layers.zero_grad()
        layers(inputs).sum().backward()

    return step


def steps(torch=None):
    block, x = make_problem()
    found = {"minigrad": minigrad_step(block, x), "numpy": numpy_step(block, x)}
    if torch is not None:
        found["torch"] = torch_step(torch, block, x)
    return found
