"""CPU instructions per op of the op_overhead chain, counted by valgrind's callgrind.

Wall-clock time on a shared machine drifts; instruction counts do not. This runs the
chain (forward + backward of 1,000 small ops) 2 and 12 times under callgrind and
divides the difference, so start-up and imports cancel out:

    python benchmarks/instructions.py            # needs valgrind (apt-get install valgrind)
    python benchmarks/instructions.py --numpy    # the same chain in plain NumPy
    python benchmarks/instructions.py --mlp      # one mlp_small training step (64-32-10, batch 32)
"""

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_CHAIN = """
import sys
sys.path[:0] = [{here!r}, {root!r}]
import numpy as np
from op_overhead import OPS, SIZE, chain, numpy_chain, with_backward
import minigrad as mg
run = numpy_chain() if {numpy} else with_backward(mg.tensor(np.ones(SIZE, dtype=np.float32), requires_grad=True), OPS)
for _ in range(int(sys.argv[1])):
    run()
"""
RUN_MLP_STEP = """
import sys
sys.path[:0] = [{here!r}, {root!r}]
from mlp_step import steps
run = steps((64, 32, 10), 32)["minigrad"]
for _ in range(int(sys.argv[1])):
    run()
"""


def instructions(code, repeats):
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code, str(repeats)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main():
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed: apt-get install valgrind")
    numpy = "--numpy" in sys.argv
    if "--mlp" in sys.argv:
        code = RUN_MLP_STEP.format(here=HERE, root=os.path.dirname(HERE))
        subprocess.run([sys.executable, "-c", code, "1"], check=True)
        per_step = (instructions(code, 120) - instructions(code, 20)) / 100
        print(f"minigrad: {per_step:,.0f} instructions per mlp_small step")
        return
    code = RUN_CHAIN.format(here=HERE, root=os.path.dirname(HERE), numpy=numpy)
    subprocess.run([sys.executable, "-c", code, "1"], check=True)  # compile .pyc files outside the count
    per_op = (instructions(code, 12) - instructions(code, 2)) / (10 * 1000)
    print(f"{'NumPy' if numpy else 'minigrad'}: {per_op:,.0f} instructions per op (forward + backward)")


if __name__ == "__main__":
    main()
