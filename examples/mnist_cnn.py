"""Train a LeNet-style CNN on MNIST, the 70,000 28x28 handwritten digits.

    python examples/mnist_cnn.py --download          # fetch the files once, then train
    python examples/mnist_cnn.py --root ~/data/mnist --epochs 3

MNIST does not ship with minigrad. The four IDX files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``,
each plain or ``.gz``) are read from ``--root``; ``--download`` fetches the missing ones
there first (about 11 MB, checked against their SHA-256). Without them the script says
how to get them and exits with status 2.

Pixels are scaled to [0, 1] and each image is shaped 1x28x28 for the network:

    Conv2d(1, 32, 5, padding=2) -> BatchNorm2d -> ReLU -> MaxPool2d(2)    32x14x14
    Conv2d(32, 64, 5, padding=2) -> BatchNorm2d -> ReLU -> MaxPool2d(2)   64x7x7
    Flatten -> Linear(3136, 128) -> ReLU -> Linear(128, 10)

trained with Adam and a cosine-annealed learning rate on the 60,000 training images and
tested on the 10,000 test images. Its target is at least 99% test accuracy after the
default 3 epochs. ``--limit N`` trains on the first N training images only, and
``--quick`` is a smoke test (2 epochs, smaller layers).
"""

import sys

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting
from mnist_mlp import load

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim


def parse_args():
    parser = _common.make_parser(__doc__, epochs=3, lr=1e-3, batch_size=64)
    parser.add_argument(
        "--root", default="data/mnist", help="folder with the four MNIST IDX files (default: %(default)s)"
    )
    parser.add_argument("--download", action="store_true", help="download the missing MNIST files into --root first")
    parser.add_argument(
        "--channels",
        type=_common.positive_int,
        nargs=2,
        default=[32, 64],
        metavar="C",
        help="output channels of the two convolutions (default: 32 64)",
    )
    parser.add_argument("--hidden", type=_common.positive_int, default=128, help="hidden units (default: 128)")
    parser.add_argument(
        "--limit",
        type=_common.positive_int,
        default=None,
        metavar="N",
        help="train on the first N training images only (a quick run)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke test: 2 epochs, channels 8 16, 32 hidden units")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.channels, args.hidden = 2, [8, 16], 32
    return args


def make_lenet(channels, hidden):
    """Two 5x5 conv blocks (28 -> 14 -> 7 pixels a side) and a two-layer classifier."""
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(1, c1, 5, padding=2, bias=False),  # BatchNorm's shift does the bias's job
        nn.BatchNorm2d(c1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 5, padding=2, bias=False),
        nn.BatchNorm2d(c2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * 7 * 7, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 10),
    )


def main():
    args = parse_args()
    data = load(args)  # None after a message on stderr saying what is missing or wrong
    if data is None:
        return 2
    X_train, X_test, y_train, y_test = data
    X_train = X_train.reshape(-1, 1, 28, 28)
    X_test = X_test.reshape(-1, 1, 28, 28)
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)

    train_loader, test_loader = _common.loaders(X_train, y_train, X_test, y_test, args.batch_size)
    model = make_lenet(args.channels, args.hidden)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    n_parameters = sum(p.numel() for p in model.parameters())
    print(
        f"MNIST: {len(X_train)} training and {len(X_test)} test images (1x28x28); "
        f"CNN with channels {args.channels[0]}-{args.channels[1]}, {n_parameters:,} parameters"
    )

    history = mg.train.fit(
        model,
        loss_fn,
        optimizer,
        train_loader,
        epochs=args.epochs,
        val_loader=test_loader,
        progress=not args.quiet,
        scheduler=scheduler,
    )
    accuracy = mg.train.evaluate(model, test_loader, loss_fn)["accuracy"]
    if plot:
        _plotting.save_plot(args.plot, {"MNIST CNN": history})
    print(f"test accuracy: {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
