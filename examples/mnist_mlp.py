"""Train an MLP 784-256-10 on MNIST, the 70,000 28x28 handwritten digits.

    python examples/mnist_mlp.py --download          # fetch the files once, then train
    python examples/mnist_mlp.py --root ~/data/mnist --plot mnist.png

MNIST does not ship with minigrad. The four IDX files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``,
each plain or ``.gz``) are read from ``--root``; ``--download`` fetches the missing ones
there first (about 11 MB, checked against their SHA-256). Without them the script says
how to get them and exits with status 2.

Pixels are scaled to [0, 1]; the MLP (ReLU) is trained with Adam and a cosine-annealed
learning rate on the 60,000 training images and tested on the 10,000 test images. Its
target is at least 97.5% test accuracy after the default 5 epochs.
"""

import sys

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def parse_args():
    parser = _common.make_parser(__doc__, epochs=5, lr=1e-3, batch_size=128)
    parser.add_argument(
        "--root", default="data/mnist", help="folder with the four MNIST IDX files (default: %(default)s)"
    )
    parser.add_argument("--download", action="store_true", help="download the missing MNIST files into --root first")
    parser.add_argument(
        "--hidden",
        type=_common.positive_int,
        nargs="+",
        default=[256],
        metavar="N",
        help="hidden layer sizes (default: 256)",
    )
    parser.add_argument(
        "--limit",
        type=_common.positive_int,
        default=None,
        metavar="N",
        help="train on the first N training images only (a quick run)",
    )
    return parser.parse_args()


def how_to_get_mnist(root, tried_download):
    """What to do when the MNIST files are not in ``root``."""
    names = "\n".join(f"      {name}" for name in FILES)
    if tried_download:
        fetch = "  - run again with --download once the network is reachable, or\n"
    else:
        fetch = f"  - run again with --download to fetch the files into {root} (about 11 MB), or\n"
    return (
        f"To get MNIST, either\n{fetch}"
        f"  - put the four IDX files (plain or .gz) into {root} yourself:\n{names}\n"
        f"  (or point --root at the folder that holds them)."
    )


def load(args):
    """The training and test splits, or None after explaining what is missing or wrong."""
    try:
        X_train, y_train = mg.data.load_mnist(args.root, train=True, download=args.download)
        X_test, y_test = mg.data.load_mnist(args.root, train=False, download=args.download)
    except FileNotFoundError as error:  # a file is missing (includes a failed download)
        print(f"error: {error}\n{how_to_get_mnist(args.root, args.download)}", file=sys.stderr)
        return None
    except ValueError as error:  # a file is there but corrupt or truncated
        print(f"error: {error}", file=sys.stderr)
        return None
    except OSError as error:  # the download failed (mg.data.DownloadError) or the disk did
        print(f"error: {error}\n{how_to_get_mnist(args.root, args.download)}", file=sys.stderr)
        return None
    if args.limit is not None:
        X_train, y_train = X_train[: args.limit], y_train[: args.limit]
    return X_train, X_test, y_train, y_test


def main():
    args = parse_args()
    data = load(args)
    if data is None:
        return 2
    X_train, X_test, y_train, y_test = data
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)

    train_loader, test_loader = _common.loaders(X_train, y_train, X_test, y_test, args.batch_size)
    sizes = [784, *args.hidden, 10]
    model = nn.MLP(sizes)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    print(f"MNIST: {len(X_train)} training and {len(X_test)} test images; MLP {'-'.join(map(str, sizes))}")

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
        _plotting.save_plot(args.plot, {"MNIST MLP": history})
    print(f"test accuracy: {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
