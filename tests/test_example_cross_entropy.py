"""examples/cross_entropy_basics.py runs, prints the worked value 0.7803 and a falling loss."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "cross_entropy_basics.py"


def run_example():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_example_prints_the_worked_value_the_gradient_check_and_a_falling_loss():
    out = run_example()
    # the worked example, three ways: by the formula, by mg.metrics, by the fused loss
    assert len(re.findall(r"= 0\.7803 nats", out)) == 3
    # the KL gap: H(P, Q) = H(P) + KL for Q = (0.7, 0.3)
    assert "H(P, Q) = 0.7803 = H(P) + KL = 0.6931 + 0.0872" in out
    difference = float(re.search(r"max \|difference\| = (\S+)", out).group(1))
    assert difference < 1e-12
    losses = [float(v) for v in re.findall(r"step +\d+: cross-entropy (\d+\.\d+)", out)]
    assert len(losses) == 6
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))
    first, last = map(float, re.search(r"fell from (\S+) to (\S+)", out).groups())
    assert (first, last) == (losses[0], losses[-1])
    assert last < first / 5
