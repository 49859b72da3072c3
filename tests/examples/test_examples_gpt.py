"""names_gpt.py and export_to_torch.py, run end to end with --quick as a user runs them.

These tests never import torch. export_to_torch.py is run once with torch hidden (a
``torch`` package on PYTHONPATH whose import fails), which is what a machine without
torch sees; where torch is installed it is also run for real and its printed logit
difference is checked.
"""

import importlib.util
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(script, *args, extra_path=None):
    """Run ``examples/<script> *args`` from the repository root, this checkout's minigrad first on the path."""
    paths = [str(path) for path in (extra_path, REPO) if path is not None]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    command = [sys.executable, str(REPO / "examples" / script), *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def succeeded(result):
    """Assert the run exited 0 (showing its output if not) and return its stdout."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def last_number(stdout, label):
    """The number on the last line, which must read ``<label>: <number>``."""
    last = stdout.rstrip().splitlines()[-1]
    match = re.fullmatch(rf"{re.escape(label)}: ([-+0-9.e]+)", last)
    assert match, f"the last line is not '{label}: <number>':\n{stdout}"
    return float(match.group(1))


def test_names_gpt_quick_learns_saves_and_reloads(tmp_path):
    path = tmp_path / "gpt.npz"
    stdout = succeeded(run("names_gpt.py", "--quick", "--quiet", "--save", str(path)))
    loss = last_number(stdout, "validation loss")
    # ln 27 = 3.2958 is a model that knows nothing; the quick model must beat it clearly.
    assert 1.5 < loss < 3.2, stdout
    assert "same validation loss" in stdout
    assert path.exists()
    names = stdout.split("20 names made up by the model:\n")[1].splitlines()[0].strip().split(", ")
    assert len(names) == 20
    assert all(re.fullmatch("[a-z]*", name) for name in names), names
    assert f"ln 27 = {math.log(27):.4f}" in stdout


def test_export_to_torch_without_torch_says_how_to_install(tmp_path):
    hidden = tmp_path / "no_torch"
    (hidden / "torch").mkdir(parents=True)
    (hidden / "torch" / "__init__.py").write_text('raise ImportError("torch hidden by the test")\n')
    stdout = succeeded(run("export_to_torch.py", "--quick", "--quiet", extra_path=hidden))
    assert "pip install torch==2.13.0" in stdout
    assert 'pip install ".[bench]"' in stdout
    accuracies = [float(a) for a in re.findall(r"test accuracy ([0-9.]+)", stdout)]
    assert len(accuracies) == 2 and min(accuracies) > 0.5, stdout  # chance is 0.1


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_export_to_torch_gives_the_same_predictions():
    stdout = succeeded(run("export_to_torch.py", "--quick", "--quiet"))
    assert stdout.count("PyTorch predicts the same digits") == 2, stdout
    assert last_number(stdout, "largest logit difference") < 1e-4
