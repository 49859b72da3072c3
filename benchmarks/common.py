"""Shared by the benchmarks: BLAS threads, timing by median of repeats run in turns, the kernel in use."""

import os
import statistics
import time


def limit_threads(threads):
    """Fix the BLAS thread count before NumPy (or PyTorch) is imported; call first."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)


def median_times(functions, repeats, warmup=3, run_length=5):
    """Median seconds per call of each function, measured in turns so drift hits them alike.

    Each turn calls a function ``run_length`` times in a row, the way a training loop
    calls its step. Timing single calls in strict alternation measures the allocator
    instead: switching between two workloads' allocation patterns makes glibc hand
    memory back to the OS and fault it in again (measured: ~580 page faults per
    minigrad mlp_step and ~260 per NumPy step, 1.5x vs 1.1x), which a loop never sees.
    """
    for fn in functions.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            for _ in range(run_length):
                start = time.perf_counter()
                fn()
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def blas_info():
    """The BLAS library, its kernel and thread count, as threadpoolctl reports them (if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (pip install threadpoolctl to see the BLAS kernel)"
    pools = [
        f"{p.get('internal_api')} {p.get('version')} kernel={p.get('architecture')} threads={p.get('num_threads')}"
        for p in threadpool_info()
        if p.get("user_api") == "blas"
    ]
    return "; ".join(pools) or "no BLAS pool found"


def torch_or_none(threads):
    """PyTorch with ``threads`` intra-op threads, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch
