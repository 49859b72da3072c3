"""Run every benchmark and print one table: minigrad and PyTorch (if installed) as ratios to NumPy.

    python benchmarks/run.py                 # one BLAS thread, the default
    python benchmarks/run.py --threads 2 --write benchmarks/RESULTS.md
    python benchmarks/run.py --only op_overhead cross_entropy
    python benchmarks/run.py --peers         # then MyGrad, HIPS autograd, micrograd (if installed)

Every workload runs minigrad and a hand-written NumPy baseline in the same process,
in turns (each turn times 5 calls in a row), after a warm-up, and reports the median.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # the benchmark modules, and this checkout's minigrad
from common import limit_threads  # noqa: E402  (before NumPy is imported)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for NumPy and PyTorch (default 1)")
    parser.add_argument(
        "--repeats", type=int, default=30, help="turns per workload, each timing 5 calls in a row (median reported)"
    )
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    parser.add_argument("--skip-train", action="store_true", help="skip the train_digits wall-time run")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORKLOAD",
        choices=WORKLOADS,
        help=f"run just these workloads (from {', '.join(WORKLOADS)})",
    )
    parser.add_argument("--write", metavar="FILE", help="also write the table as Markdown to FILE")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="after the table, time the installed peer libraries (benchmarks/peers.py) in a second one",
    )
    return parser.parse_args()


WORKLOADS = (
    "mlp_step",
    "mlp_small",
    "cross_entropy",
    "gelu_block",
    "op_overhead",
    "deep_chain",
    "memory",
    "conv2d",
    "conv2d_memory",
    "cnn_digits_step",
    "gpt_step",
    "train_digits",
)


def main():  # noqa: C901  (one flat list of optional rows; each branch is one line)
    args = parse_args()
    limit_threads(args.threads)
    import common
    import cross_entropy
    import deep_chain
    import gelu_block
    import memory
    import mlp_step
    import numpy as np
    import op_overhead

    torch = None if args.no_torch else common.torch_or_none(args.threads)
    rows = []  # (workload, minigrad, numpy, torch, unit)

    def timed(name, found, repeats, scale=1.0, unit="ms", run_length=5):
        times = common.median_times(found, repeats, run_length=run_length)
        rows.append((name, *(times.get(k, None) and times[k] * scale for k in ("minigrad", "numpy", "torch")), unit))
        print(format_row(rows[-1]), flush=True)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}" + (f", PyTorch {torch.__version__}" if torch else ", PyTorch not installed")
    )
    print(f"BLAS: {common.blas_info()}")
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"note: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} is set and picks the kernel")
    print(f"threads: {args.threads}, repeats: {args.repeats} (median)\n")
    print(HEADER)

    wanted = set(args.only or WORKLOADS) - ({"train_digits"} if args.skip_train else set())
    if "mlp_step" in wanted:
        timed("mlp_step", mlp_step.steps((784, 256, 256, 10), 128, torch), args.repeats, 1e3)
    if "mlp_small" in wanted:
        timed("mlp_small", mlp_step.steps((64, 32, 10), 32, torch), args.repeats * 2, 1e6, "µs")
    if "cross_entropy" in wanted:
        timed("cross_entropy", cross_entropy.steps(torch), args.repeats, 1e3)
    if "gelu_block" in wanted:
        timed("gelu_block", gelu_block.steps(torch), args.repeats, 1e3)
    if "op_overhead" in wanted:
        timed("op_overhead", op_overhead.steps(torch), args.repeats, 1e6 / op_overhead.OPS, "µs/op")
    if "deep_chain" in wanted:
        turns = max(3, args.repeats // 10)  # each engine alone in a fresh interpreter: see deep_chain.py
        rows.append(
            (
                "deep_chain",
                deep_chain.seconds_in_fresh_process("minigrad", turns, args.threads),
                None,
                torch and deep_chain.seconds_in_fresh_process("torch", turns, args.threads),
                "s",
            )
        )
        print(format_row(rows[-1]), flush=True)
    if "memory" in wanted:
        peaks = memory.peaks()
        rows.append(("memory", peaks["minigrad"] / 2**20, peaks["numpy"] / 2**20, None, "MiB peak"))
        print(format_row(rows[-1]), flush=True)
    conv_workloads(wanted, torch, args.repeats, timed, rows)
    if wanted & {"cnn_digits_step", "gpt_step"}:
        import example_steps

        if "cnn_digits_step" in wanted:
            timed("cnn_digits_step", example_steps.cnn_steps(torch), args.repeats, 1e3)
        if "gpt_step" in wanted:
            timed("gpt_step", example_steps.gpt_steps(torch), max(5, args.repeats // 3), 1e3)
    if "train_digits" in wanted:
        rows.append(("train_digits", train_digits_seconds(), None, None, "s wall"))
        print(format_row(rows[-1]), flush=True)
    if args.peers:
        import peers

        versions, peer_rows = peers.installed(), []
        print(f"\npeers: {', '.join(f'{name} {version}' for name, version in versions.items()) or 'none'}")
        if peers.missing_note():
            print(peers.missing_note())
        print(peer_header(versions))
        for row in peer_table(wanted, args.repeats):
            peer_rows.append(row)
            print(format_peer_row(row, versions), flush=True)
    if args.write:
        write_markdown(args.write, rows, args, np, torch, common.blas_info())
        if args.peers:
            append_peer_markdown(args.write, peer_rows, versions)
        print(f"\nwrote {args.write}")


def conv_workloads(wanted, torch, repeats, timed, rows):
    """conv2d: 3x3 convs 1->32 and 32->64 (batch 64, 28x28), forward and all three gradients;
    conv2d_memory: the 32->64 step's peak traced memory."""
    import conv

    if "conv2d" in wanted:
        timed("conv2d", conv.steps(torch), max(3, repeats // 3), 1e3)
    if "conv2d_memory" in wanted:
        peaks = conv.peaks()
        rows.append(("conv2d_memory", peaks["minigrad"] / 2**20, peaks["numpy"] / 2**20, None, "MiB peak"))
        print(format_row(rows[-1]), flush=True)


HEADER = f"{'workload':<14}{'minigrad':>12}{'numpy':>12}{'torch':>12}{'mg/numpy':>10}{'torch/numpy':>13}  unit"


def ratio(value, base):
    return f"{value / base:.2f}x" if value is not None and base else "-"


def number(value):
    return "-" if value is None else f"{value:.3g}"


def format_row(row):
    name, mine, numpy_value, torch_value, unit = row
    return (
        f"{name:<14}{number(mine):>12}{number(numpy_value):>12}{number(torch_value):>12}"
        f"{ratio(mine, numpy_value):>10}{ratio(torch_value, numpy_value):>13}  {unit}"
    )


def peer_table(wanted, repeats):
    """Rows (workload, {column: value}, unit): NumPy, minigrad and each installed peer, timed in the same turns.

    Same turns and run lengths as the main table; deep_chain warms up once (its check already ran each peer once).
    A value is a time, or a string such as "RecursionError" for a peer that could not run the workload.
    """
    import cross_entropy
    import deep_chain
    import mlp_step
    import op_overhead
    import peers
    from common import median_times

    plans = {  # workload: (minigrad and NumPy steps, repeats, scale, unit, run_length, warmup)
        "mlp_step": (lambda: mlp_step.steps(*peers.MLP_PROBLEMS["mlp_step"]), repeats, 1e3, "ms", 5, 3),
        "mlp_small": (lambda: mlp_step.steps(*peers.MLP_PROBLEMS["mlp_small"]), repeats * 2, 1e6, "µs", 5, 3),
        "cross_entropy": (cross_entropy.steps, repeats, 1e3, "ms", 5, 3),
        "op_overhead": (op_overhead.steps, repeats, 1e6 / op_overhead.OPS, "µs/op", 5, 3),
        "deep_chain": (deep_chain.steps, max(3, repeats // 10), 1.0, "s", 1, 1),
    }
    for workload, (own_steps, turns, scale, unit, run_length, warmup) in plans.items():
        if workload not in wanted:
            continue
        found = {**own_steps(), **peers.steps(workload)}
        failed = {name: fn for name, fn in found.items() if isinstance(fn, str)}
        runnable = {name: fn for name, fn in found.items() if not isinstance(fn, str)}
        times = median_times(runnable, turns, warmup=warmup, run_length=run_length)
        yield workload, {**{name: t * scale for name, t in times.items()}, **failed}, unit


def peer_columns(versions):
    return ["minigrad", *versions]


def peer_cell(values, name):
    """A column's value and its ratio to NumPy."""
    value, base = values.get(name), values.get("numpy")
    if isinstance(value, str):
        return value, "-"
    return number(value), ratio(value, base)


def peer_header(versions):
    return (
        f"{'workload':<14}{'numpy':>10}"
        + "".join(f"{name:>15}{name + '/np':>14}" for name in peer_columns(versions))
        + "  unit"
    )


def format_peer_row(row, versions):
    workload, values, unit = row
    cells = (peer_cell(values, name) for name in peer_columns(versions))
    return (
        f"{workload:<14}{number(values.get('numpy')):>10}"
        + "".join(f"{value:>15}{ratio_text:>14}" for value, ratio_text in cells)
        + f"  {unit}"
    )


def append_peer_markdown(path, peer_rows, versions):
    import peers

    columns = peer_columns(versions)
    lines = [
        "| workload | NumPy | " + " | ".join(f"{name} | {name} / NumPy" for name in columns) + " | unit |",
        "|---|---:|" + "---:|---:|" * len(columns) + "---|",
    ]
    for workload, values, unit in peer_rows:
        cells = " | ".join(" | ".join(peer_cell(values, name)) for name in columns)
        lines.append(f"| {workload} | {number(values.get('numpy'))} | {cells} | {unit} |")
    with open(path, "a") as f:
        f.write(
            "\nPeer libraries, each timed in the same turns as NumPy and minigrad (`--peers`; "
            + ", ".join(f"{name} {version}" for name, version in versions.items())
            + "):\n\n"
        )
        f.write("\n".join(lines) + "\n")
        if peers.missing_note():
            f.write(f"\n{peers.missing_note()}.\n")


def train_digits_seconds():
    """Wall time of the main example's default run, in a fresh process."""
    root = os.path.dirname(HERE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, os.path.join(root, "examples", "train_digits.py"), "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
        env=env,
    )
    return time.perf_counter() - start


def write_markdown(path, rows, args, np, torch, blas):
    lines = [
        "| workload | minigrad | NumPy | PyTorch | minigrad / NumPy | PyTorch / NumPy | unit |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, mine, numpy_value, torch_value, unit in rows:
        lines.append(
            f"| {name} | {number(mine)} | {number(numpy_value)} | {number(torch_value)} | "
            f"{ratio(mine, numpy_value)} | {ratio(torch_value, numpy_value)} | {unit} |"
        )
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
        f.write(
            f"\nMeasured with `python benchmarks/run.py --threads {args.threads} --repeats {args.repeats}` on "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy "
            f"{np.__version__}" + (f", PyTorch {torch.__version__}" if torch else "") + f"; BLAS: {blas}.\n"
        )


if __name__ == "__main__":
    main()
