"""The CNN and language-model example trainers, run end to end with ``--quick``.

Each runs in a subprocess as a user runs it (helpers from test_examples.py). The number on
the last line must pass a bar that a broken model cannot reach: chance is 0.1 for the
digits, and a character model that learned nothing scores ln 27 = 3.2958 nats.
"""

import math
import re

import pytest
from test_examples import run, succeeded

from minigrad.data.mnist import write_synthetic_mnist


def last_line_number(stdout, label):
    """The number on the output's last line, which must read ``<label>: <number>``."""
    last = stdout.rstrip().splitlines()[-1]
    match = re.fullmatch(rf"{re.escape(label)}: ([0-9.]+)", last)
    assert match, f"last line is not '{label}: <number>': {last!r}\n{stdout}"
    return float(match.group(1))


def test_cnn_digits_quick_learns_the_digits():
    stdout = succeeded(run("cnn_digits.py", "--quick", "--quiet"))
    assert "1347 training and 450 test images" in stdout  # the same split as train_digits.py
    assert last_line_number(stdout, "test accuracy") >= 0.9


def test_names_mlp_quick_beats_knowing_nothing():
    stdout = succeeded(run("names_mlp.py", "--quick", "--quiet"))
    assert f"ln 27:   {math.log(27):.4f}" in stdout
    bigram = float(re.search(r"bigram counts \(from training\):\s+([0-9.]+)", stdout).group(1))
    assert 2.3 < bigram < 2.6  # counting pairs of characters: about 2.45 nats
    sampled = stdout.split("20 names sampled from the model:\n")[1].splitlines()[0].removeprefix("  ").split(", ")
    assert len(sampled) == 20
    assert all(re.fullmatch("[a-z]*", name) for name in sampled)
    assert last_line_number(stdout, "validation loss") < 3.0


def test_mnist_cnn_quick_trains_on_synthetic_idx_files(tmp_path):
    write_synthetic_mnist(tmp_path, n=200, train=True, seed=0)
    write_synthetic_mnist(tmp_path, n=100, train=False, gz=True, seed=1)
    stdout = succeeded(run("mnist_cnn.py", "--quick", "--quiet", "--root", str(tmp_path), "--batch-size", "16"))
    assert "200 training and 100 test images (1x28x28)" in stdout
    assert last_line_number(stdout, "test accuracy") >= 0.5  # ten classes: chance is 0.1


def test_mnist_cnn_without_files_explains_and_exits_2(tmp_path):
    result = run("mnist_cnn.py", "--quiet", "--root", str(tmp_path / "nothing-here"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--download" in result.stderr
    assert "train-images-idx3-ubyte" in result.stderr
    assert "test accuracy" not in result.stdout


@pytest.mark.parametrize("script", ["cnn_digits.py", "names_mlp.py", "mnist_cnn.py"])
def test_help_lists_the_common_options(script):
    stdout = succeeded(run(script, "--help"))
    for option in ("--epochs", "--lr", "--batch-size", "--seed", "--plot", "--quiet", "--quick"):
        assert option in stdout


def test_names_mlp_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    image = tmp_path / "plot.png"
    stdout = succeeded(run("names_mlp.py", "--quick", "--quiet", "--plot", str(image)))
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.stat().st_size > 10_000  # panels drawn, not an empty canvas
    assert "validation loss" in stdout
