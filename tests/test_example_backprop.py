"""examples/backprop_by_hand.py runs end to end and its hand-written gradients match minigrad's."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "examples", "backprop_by_hand.py")


def test_backprop_by_hand_matches_minigrad(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    result = subprocess.run(
        [sys.executable, SCRIPT, "--out", str(tmp_path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    differences = dict(re.findall(r"^\s+(\w+)\s+max \|difference\| = (\S+)$", out, flags=re.MULTILINE))
    assert set(differences) == {"W1", "b1", "W2", "b2", "loss"}
    for name, value in differences.items():
        assert float(value) < 1e-12, f"{name}: by hand and minigrad differ by {value}"
    for name in ("backward_trace.txt", "graph.dot"):
        assert (tmp_path / name).exists() and str(tmp_path / name) in out
    trace = (tmp_path / "backward_trace.txt").read_text()
    assert "CrossEntropyWithIndices" in trace and "Tanh" in trace and "leaf W1" in trace
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")
