"""A 3x3 convolution's forward and backward (all three gradients), minigrad vs hand-written NumPy im2col.

Batch 64, 28x28, padding 1, float32, two layers: 1 -> 32 and 32 -> 64 channels. Each step computes the
output (with bias) and, from a fixed output gradient, the gradients of the input, the weight and the bias.

    python benchmarks/conv.py              # time (median of turns) and peak traced memory, per layer
    python benchmarks/run.py --only conv2d conv2d_memory
"""

import gc
import os
import sys
import tracemalloc

if __name__ == "__main__":  # run alone: this checkout's minigrad, and one BLAS thread set before NumPy loads
    sys.path[:0] = [
        os.path.dirname(os.path.abspath(__file__)),
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    ]
    from common import limit_threads

    limit_threads(1)

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402

LAYERS = ((1, 32), (32, 64))  # (in_channels, out_channels)
BATCH, SIZE, KERNEL = 64, 28, 3


def make_problem(c_in, c_out, batch=BATCH, size=SIZE, seed=0):
    """x, w, b and the output's gradient g, in float32."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, c_in, size, size)).astype(np.float32)
    w = (rng.standard_normal((c_out, c_in, KERNEL, KERNEL)) / np.sqrt(c_in * KERNEL * KERNEL)).astype(np.float32)
    b = rng.standard_normal(c_out).astype(np.float32)
    g = rng.standard_normal((batch, c_out, size, size)).astype(np.float32)  # the output's gradient
    return x, w, b, g


def minigrad_step(x, w, b, g):
    """F.conv2d forward, then backward from ``g``: returns (out, x.grad, w.grad, b.grad)."""
    x, w, b = (mg.tensor(a, requires_grad=True) for a in (x, w, b))

    def step():
        x.grad = w.grad = b.grad = None
        out = F.conv2d(x, w, b, padding=1)
        out.backward(g)
        return out.data, x.grad, w.grad, b.grad

    return step


def numpy_step(x, w, b, g):
    """The same by hand: im2col by a strided view, one batched matmul, its columns kept for the weight gradient,
    the input gradient scattered back by a loop over the nine kernel offsets."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    pixels = h * wd
    w_rows = w.reshape(o, c * KERNEL * KERNEL)
    w_offsets = w.reshape(o, c, KERNEL * KERNEL).transpose(2, 1, 0).copy()  # (9, C, O)
    g_rows = g.reshape(n, o, pixels)

    def step():
        xp = np.zeros((n, c, h + 2, wd + 2), dtype=x.dtype)
        xp[:, :, 1:-1, 1:-1] = x
        windows = sliding_window_view(xp, (KERNEL, KERNEL), axis=(2, 3))  # (N, C, H, W, 3, 3)
        cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * KERNEL * KERNEL, pixels)
        out = (w_rows @ cols).reshape(n, o, h, wd)
        out += b.reshape(o, 1, 1)
        grad_b = g.sum(axis=(0, 2, 3))
        grad_w = (g_rows @ cols.swapaxes(1, 2)).sum(axis=0).reshape(w.shape)
        gxp = np.zeros_like(xp)
        for p in range(KERNEL):
            for q in range(KERNEL):
                gxp[:, :, p : p + h, q : q + wd] += (w_offsets[p * KERNEL + q] @ g_rows).reshape(n, c, h, wd)
        return out, gxp[:, :, 1:-1, 1:-1], grad_w, grad_b

    return step


def torch_step(torch, x, w, b, g):
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tg = torch.from_numpy(g)

    def step():
        tx.grad = tw.grad = tb.grad = None
        out = torch.nn.functional.conv2d(tx, tw, tb, padding=1)
        out.backward(tg)
        return out

    return step


def steps(torch=None):
    """Both layers in one call, for minigrad, NumPy and (if given) PyTorch."""
    problems = [make_problem(c_in, c_out) for c_in, c_out in LAYERS]
    found = {"minigrad": [minigrad_step(*p) for p in problems], "numpy": [numpy_step(*p) for p in problems]}
    if torch is not None:
        found["torch"] = [torch_step(torch, *p) for p in problems]
    return {name: _run_all(fns) for name, fns in found.items()}


def _run_all(fns):
    def run():
        for fn in fns:
            fn()

    return run


def peak_bytes(fn):
    """The peak of memory allocated during one call of ``fn``, above what was in use before it."""
    fn()
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before


def peaks():
    """Peak traced bytes of the 32 -> 64 layer's step (the larger one), minigrad and NumPy."""
    problem = make_problem(*LAYERS[-1])
    return {"minigrad": peak_bytes(minigrad_step(*problem)), "numpy": peak_bytes(numpy_step(*problem))}


def main():
    from common import median_times

    for c_in, c_out in LAYERS:
        problem = make_problem(c_in, c_out)
        found = {"minigrad": minigrad_step(*problem), "numpy": numpy_step(*problem)}
        for mine, theirs in zip(found["minigrad"](), found["numpy"](), strict=True):  # the same four arrays
            np.testing.assert_allclose(mine, theirs, rtol=1e-3, atol=1e-3)
        times = median_times(found, 10)
        memory = {name: peak_bytes(fn) for name, fn in found.items()}
        print(
            f"conv {c_in:>2} -> {c_out:<2}  time: minigrad {times['minigrad'] * 1e3:7.2f} ms, "
            f"numpy {times['numpy'] * 1e3:7.2f} ms ({times['minigrad'] / times['numpy']:.2f}x)   "
            f"peak: minigrad {memory['minigrad'] / 2**20:6.1f} MiB, numpy {memory['numpy'] / 2**20:6.1f} MiB "
            f"({memory['minigrad'] / memory['numpy']:.2f}x)"
        )


if __name__ == "__main__":
    main()
