"""Train a small CNN on the 8x8 handwritten digits that ship with minigrad.

    python examples/cnn_digits.py                    # about 99% test accuracy in under a minute
    python examples/cnn_digits.py --quick            # a few seconds, for a smoke test

The same data and the same 75/25 split as ``train_digits.py`` (the split is set by
``--seed``), but each row of 64 pixels is put back into its 1x8x8 image so the layers can
look at neighbouring pixels:

    Conv2d(1, 32, 3, padding=1) -> BatchNorm2d -> ReLU                     32x8x8
    Conv2d(32, 32, 3, padding=1) -> BatchNorm2d -> ReLU -> MaxPool2d(2)    32x4x4
    Conv2d(32, 64, 3, padding=1) -> BatchNorm2d -> ReLU -> MaxPool2d(2)    64x2x2
    Flatten -> Linear(256, 10)

trained with SGD (momentum 0.9, weight decay 5e-4) and a cosine-annealed learning rate.
BatchNorm uses the batch's statistics while training and its running statistics in
evaluation (``mg.train.fit`` and ``mg.train.predict`` switch the mode). The last line is
the test accuracy.
"""

import sys

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim


def parse_args():
    parser = _common.make_parser(__doc__, epochs=30, lr=0.05, batch_size=32)
    parser.add_argument(
        "--channels",
        type=_common.positive_int,
        nargs=3,
        default=[32, 32, 64],
        metavar="C",
        help="output channels of the three convolutions (default: 32 32 64)",
    )
    parser.add_argument("--momentum", type=float, default=0.9, help="SGD momentum (default: %(default)s)")
    parser.add_argument(
        "--weight-decay", type=float, default=5e-4, help="SGD weight decay (L2 penalty) (default: %(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke test: 3 epochs and channels 8 8 16 (a few seconds)"
    )
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.channels = 3, [8, 8, 16]
    return args


def conv_block(in_channels, out_channels, pool):
    """3x3 convolution (size kept by padding 1), batch norm, ReLU and, if ``pool``, 2x2 max pooling."""
    layers = [
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),  # BatchNorm's shift does the bias's job
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    ]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return layers


def make_cnn(channels):
    """The CNN for 1x8x8 digits: three conv blocks (two of them pooling 8 -> 4 -> 2) and a linear layer."""
    c1, c2, c3 = channels
    return nn.Sequential(
        *conv_block(1, c1, pool=False),
        *conv_block(c1, c2, pool=True),
        *conv_block(c2, c3, pool=True),
        nn.Flatten(),
        nn.Linear(c3 * 2 * 2, 10),
    )


def main():
    args = parse_args()
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)

    X, y = mg.data.load_digits()
    X = X / 16.0  # pixel counts 0..16 -> [0, 1]
    # The same split as train_digits.py (split the 64-pixel rows, then shape them as images).
    X_train, X_test, y_train, y_test = mg.data.train_test_split(X, y, test_size=0.25, seed=args.seed)
    X_train = X_train.reshape(-1, 1, 8, 8)
    X_test = X_test.reshape(-1, 1, 8, 8)
    train_loader, test_loader = _common.loaders(X_train, y_train, X_test, y_test, args.batch_size)
    model = make_cnn(args.channels)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    n_parameters = sum(p.numel() for p in model.parameters())
    print(
        f"digits: {len(X_train)} training and {len(X_test)} test images (1x8x8); "
        f"CNN with channels {'-'.join(map(str, args.channels))}, {n_parameters:,} parameters"
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
        _plotting.save_plot(args.plot, {"digits CNN": history})
    print(f"test accuracy: {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
