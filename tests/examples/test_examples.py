"""The example trainers, run end to end as a user runs them: ``python examples/X.py``.

Each runs in a subprocess from the repository root with this checkout's minigrad first
on PYTHONPATH, with fewer epochs than its defaults and ``--quiet``. The accuracy read
from its output must beat a threshold that a broken model (chance level, a wrong sign,
a missing step) cannot reach.
"""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SCRIPTS = ["train_digits.py", "logistic_regression.py", "spirals.py", "mnist_mlp.py"]


def run(script, *args, cwd=REPO, extra_path=None):
    """Run ``examples/<script> *args`` and return the CompletedProcess (text output)."""
    paths = [str(path) for path in (extra_path, REPO) if path is not None]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def succeeded(result):
    """Assert the run exited 0 (showing its output if not) and return its stdout."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def accuracy(stdout, label="test accuracy"):
    """The number printed after ``<label>: `` (the last one if several)."""
    found = re.findall(rf"{re.escape(label)}: ([0-9.]+)", stdout)
    assert found, f"no '{label}: ...' line in:\n{stdout}"
    return float(found[-1])


# --- train_digits.py -----------------------------------------------------------------------


def test_train_digits_learns_saves_and_reloads(tmp_path):
    path = tmp_path / "digits.npz"
    stdout = succeeded(run("train_digits.py", "--quiet", "--epochs", "10", "--save", str(path)))
    assert stdout.rstrip().splitlines()[-1].startswith("test accuracy: ")
    assert accuracy(stdout) >= 0.9
    assert "same predictions" in stdout
    assert str(path) in stdout
    # The confusion matrix: a header row of the ten digits, then one row per digit.
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == [str(k) for k in range(10)])
    for k in range(10):
        assert lines[header + 1 + k].split()[0] == str(k)

    model = nn.MLP([64, 256, 128, 10])
    model.load_state_dict(mg.load(path))
    X, y = mg.data.load_digits()
    with mg.no_grad():
        predicted = model(mg.tensor(X / 16.0)).numpy().argmax(axis=1)
    assert np.mean(predicted == y) >= 0.9  # mostly training images, so above the test score


def test_train_digits_saves_in_the_current_folder_by_default(tmp_path):
    stdout = succeeded(run("train_digits.py", "--quiet", "--epochs", "1", "--hidden", "32", cwd=tmp_path))
    state = mg.load(tmp_path / "digits_mlp.npz")
    assert state["0.weight"].shape == (32, 64)
    assert 0.0 <= accuracy(stdout) <= 1.0


# --- logistic_regression.py ----------------------------------------------------------------


@pytest.mark.parametrize("dataset, binary_threshold", [("moons", 0.8), ("blobs", 0.95)])
def test_logistic_regression_binary_and_softmax(dataset, binary_threshold):
    stdout = succeeded(run("logistic_regression.py", "--quiet", "--epochs", "10", "--dataset", dataset))
    # A line cannot separate the moons (~0.87 at best), but chance is 0.5.
    assert accuracy(stdout, f"{dataset} (binary logistic regression) test accuracy") >= binary_threshold
    assert accuracy(stdout, "digits (softmax regression) test accuracy") >= 0.9


# --- spirals.py ----------------------------------------------------------------------------


def test_spirals_mlp_separates_the_arms():
    stdout = succeeded(run("spirals.py", "--quiet", "--epochs", "40"))
    assert accuracy(stdout) >= 0.9  # a linear model gets about 0.5 on three arms


# --- mnist_mlp.py --------------------------------------------------------------------------


def idx_bytes(array, magic):
    """The IDX encoding of a uint8 array: magic, one 4-byte size per dimension, data."""
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_fake_mnist(root):
    """A small learnable stand-in for MNIST in IDX format: the 8x8 digits, each pixel
    blown up to 3x3 and padded to 28x28, scaled to 0..255. The training files are
    plain, the test files gzipped (the loader takes both)."""
    X, y = mg.data.load_digits()
    images = np.kron(X.reshape(-1, 8, 8), np.ones((3, 3)))
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    images = np.round(images * 255 / 16).astype(np.uint8)
    train_x, test_x, train_y, test_y = mg.data.train_test_split(images, y.astype(np.uint8), test_size=0.25, seed=0)
    (root / "train-images-idx3-ubyte").write_bytes(idx_bytes(train_x, 2051))
    (root / "train-labels-idx1-ubyte").write_bytes(idx_bytes(train_y, 2049))
    (root / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(test_x, 2051)))
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(test_y, 2049)))


def test_mnist_without_files_explains_and_exits_2(tmp_path):
    result = run("mnist_mlp.py", "--quiet", "--root", str(tmp_path / "nothing-here"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--download" in result.stderr
    for name in (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ):
        assert name in result.stderr
    assert "test accuracy" not in result.stdout


def test_mnist_with_a_corrupt_file_names_it_and_exits_2(tmp_path):
    write_fake_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00")
    result = run("mnist_mlp.py", "--quiet", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "train-labels-idx1-ubyte" in result.stderr


def test_mnist_trains_on_fake_idx_files(tmp_path):
    write_fake_mnist(tmp_path)
    stdout = succeeded(run("mnist_mlp.py", "--quiet", "--root", str(tmp_path), "--epochs", "8", "--batch-size", "32"))
    assert "1347 training and 450 test images" in stdout
    assert accuracy(stdout) >= 0.9  # ten classes: chance is 0.1


# --- --plot --------------------------------------------------------------------------------

QUICK = {  # script -> options for a fast run
    "train_digits.py": ["--epochs", "2", "--hidden", "32"],
    "logistic_regression.py": ["--epochs", "2"],
    "spirals.py": ["--epochs", "2"],
    "mnist_mlp.py": ["--epochs", "1", "--limit", "200"],
}


def quick_args(script, tmp_path):
    args = ["--quiet", *QUICK[script]]
    if script == "train_digits.py":
        args += ["--save", str(tmp_path / "digits.npz")]
    if script == "mnist_mlp.py":
        write_fake_mnist(tmp_path)
        args += ["--root", str(tmp_path)]
    return args


@pytest.mark.parametrize("script", SCRIPTS)
def test_plot_writes_a_png(script, tmp_path):
    pytest.importorskip("matplotlib")
    image = tmp_path / "plot.png"
    stdout = succeeded(run(script, *quick_args(script, tmp_path), "--plot", str(image)))
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.stat().st_size > 10_000  # panels drawn, not an empty canvas
    assert "test accuracy" in stdout


def test_plot_without_matplotlib_says_how_to_install_and_still_trains(tmp_path):
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib hidden by the test')\n")
    image = tmp_path / "plot.png"
    result = run(
        "spirals.py", *quick_args("spirals.py", tmp_path), "--plot", str(image), extra_path=tmp_path / "blocker"
    )
    stdout = succeeded(result)
    assert 'pip install ".[plot]"' in result.stderr
    assert "test accuracy" in stdout
    assert not image.exists()


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_lists_the_common_options(script):
    stdout = succeeded(run(script, "--help"))
    for option in ("--epochs", "--lr", "--batch-size", "--seed", "--plot", "--quiet"):
        assert option in stdout
