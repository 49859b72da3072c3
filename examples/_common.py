"""What the example trainers share: one BLAS thread, the common options, data loaders.

Import this module before NumPy (each example does, first thing): it caps the BLAS
thread pool at one thread unless you have set a thread count yourself. These models are
so small that a second BLAS thread costs more than it gains, and on a busy machine far
more: on a 2-core machine with other work running, the digits MLP trained in 1.5-3.5 s
with one thread and in 7-34 s with two (a 32x64 @ 64x256 product went from 25 µs to over
1 ms). To try more threads, set OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS) yourself.
"""

import os

_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
if not any(name in os.environ for name in _THREAD_VARIABLES):
    for _name in _THREAD_VARIABLES:
        os.environ[_name] = "1"

import argparse  # noqa: E402  (after the thread setting, which must come before NumPy)

import minigrad as mg  # noqa: E402


def positive_int(text):
    """An argparse type: an int of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """An argparse type: a float above 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def make_parser(doc, epochs, lr, batch_size, seed=0):
    """An ArgumentParser with the options every example has, and these defaults.

    Options: --epochs, --lr, --batch-size, --seed, --plot FILE.png, --quiet. The
    script's docstring ``doc`` is the help text.
    """
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--epochs", type=positive_int, default=epochs, help="passes over the training set (default: %(default)s)"
    )
    parser.add_argument("--lr", type=positive_float, default=lr, help="learning rate (default: %(default)s)")
    parser.add_argument(
        "--batch-size", type=positive_int, default=batch_size, help="samples per mini-batch (default: %(default)s)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=seed,
        help="seed of the data (and its train/test split, if any), the initial "
        "weights and the shuffling (default: %(default)s)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the loss and accuracy curves (and, for 2-D data, the "
        "decision regions) to this image; needs matplotlib",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars, only the results")
    return parser


def loaders(X_train, y_train, X_test, y_test, batch_size):
    """A shuffling DataLoader over the training rows and a plain one over the test rows."""
    train_loader = mg.data.DataLoader(mg.data.TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True)
    test_loader = mg.data.DataLoader(mg.data.TensorDataset(X_test, y_test), batch_size=1024)
    return train_loader, test_loader


def predict(model, X):
    """The model's outputs for the rows of ``X`` as an ndarray (``mg.train.predict``: eval mode, no graph)."""
    return mg.train.predict(model, X, batch_size=1024)
