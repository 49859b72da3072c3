"""A 100,000-op chain, forward + backward: the engine must be iterative (no RecursionError) and cheap.

Each engine is timed alone in a fresh interpreter (``python benchmarks/deep_chain.py minigrad``),
the way a script runs it. The chain's graph is about 300,000 Python objects, and each full pass
of Python's cyclic garbage collector scans every object the process holds: in a process that
has also imported PyTorch (about 140,000 more objects) those passes take twice as long, which
would charge minigrad for PyTorch's import.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEPTH = 100_000


def steps(torch=None):
    import numpy as np
    from op_overhead import with_backward

    import minigrad as mg

    found = {"minigrad": with_backward(mg.tensor(np.float32(1.0), requires_grad=True), DEPTH)}
    if torch is not None:
        found["torch"] = with_backward(torch.tensor(1.0, requires_grad=True), DEPTH)
    return found


def seconds_in_fresh_process(engine, repeats, threads):
    """The median seconds of one forward + backward, timed in a new interpreter that loads only ``engine``."""
    command = [sys.executable, os.path.abspath(__file__), engine, str(repeats), str(threads)]
    return float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main(engine, repeats, threads):
    sys.path[:0] = [HERE, os.path.dirname(HERE)]  # the benchmark modules, and this checkout's minigrad
    from common import limit_threads, median_times, torch_or_none

    limit_threads(threads)
    torch = torch_or_none(threads) if engine == "torch" else None
    run = steps(torch)[engine]
    print(median_times({engine: run}, repeats, warmup=1, run_length=1)[engine])


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
