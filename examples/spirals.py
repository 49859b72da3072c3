"""Train an MLP to tell apart three interleaved spiral arms, a problem no line can split.

    python examples/spirals.py                       # about 98% test accuracy in a few seconds
    python examples/spirals.py --plot spirals.png    # decision regions and curves

The points come from ``mg.data.make_spirals`` (three arms, Gaussian noise), split 75/25
into training and test points. The MLP 2-64-64-3 with ReLU is trained with Adam and a
cosine-annealed learning rate; the plot shows how its regions follow the arms.
"""

import sys

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim


def parse_args():
    parser = _common.make_parser(__doc__, epochs=100, lr=0.01, batch_size=32)
    parser.add_argument(
        "--n-samples",
        type=_common.positive_int,
        default=900,
        help="points in all, split evenly over the arms (default: %(default)s)",
    )
    parser.add_argument(
        "--classes", type=_common.positive_int, default=3, help="number of spiral arms (default: %(default)s)"
    )
    parser.add_argument(
        "--noise",
        type=float,
        default=0.03,
        help="standard deviation of the noise on each coordinate (default: %(default)s)",
    )
    parser.add_argument(
        "--hidden",
        type=_common.positive_int,
        nargs="+",
        default=[64, 64],
        metavar="N",
        help="hidden layer sizes (default: 64 64)",
    )
    return parser.parse_args()


def main():
    args = parse_args()
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)

    X, y = mg.data.make_spirals(args.n_samples, n_classes=args.classes, noise=args.noise, seed=args.seed)
    X_train, X_test, y_train, y_test = mg.data.train_test_split(X, y, test_size=0.25, seed=args.seed)
    train_loader, test_loader = _common.loaders(X_train, y_train, X_test, y_test, args.batch_size)
    sizes = [2, *args.hidden, args.classes]
    model = nn.MLP(sizes)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    print(
        f"spirals: {args.classes} arms, {len(X_train)} training and {len(X_test)} test "
        f"points; MLP {'-'.join(map(str, sizes))}"
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

        def predict(points):
            return _common.predict(model, points).argmax(axis=1)

        region = (f"spirals MLP (test accuracy {accuracy:.3f})", predict, X_train, y_train, X_test, y_test)
        _plotting.save_plot(args.plot, {"spirals MLP": history}, regions=[region])
    print(f"test accuracy: {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
