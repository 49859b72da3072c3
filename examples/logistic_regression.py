"""Logistic regression, binary and multinomial: one Linear layer and the right loss.

    python examples/logistic_regression.py                   # moons, then digits
    python examples/logistic_regression.py --dataset blobs --plot logistic.png

1. Binary: ``nn.Linear(2, 1)`` gives one logit per point and ``nn.BCEWithLogitsLoss``
   compares it with the 0/1 label. The targets are floats shaped like the logits,
   ``(N, 1)``; ``mg.train.fit`` counts a prediction as class 1 when its logit is > 0.
   On two Gaussian blobs a line separates the classes almost perfectly; on the two
   moons it cannot (that takes an MLP, see spirals.py), and about 87% is the best a
   line does.
2. Multinomial (softmax) regression: ``nn.Linear(64, 10)`` gives ten logits per 8x8
   digit and ``nn.CrossEntropyLoss`` takes the integer labels; the prediction is the
   argmax. A linear model already reaches about 96% on the digits.

Both are trained with SGD (momentum 0.9) on a 75/25 train/test split.
"""

import sys

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting
import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim

# Two overlapping Gaussian clusters (standard deviation 1) for --dataset blobs.
BLOB_CENTERS = [[-2.0, -1.0], [2.0, 1.0]]


def parse_args():
    parser = _common.make_parser(__doc__, epochs=30, lr=0.1, batch_size=32)
    parser.add_argument(
        "--dataset", choices=["moons", "blobs"], default="moons", help="the 2-D binary problem (default: %(default)s)"
    )
    parser.add_argument(
        "--n-samples",
        type=_common.positive_int,
        default=1000,
        help="points in the binary problem (default: %(default)s)",
    )
    parser.add_argument("--noise", type=float, default=0.1, help="noise of the moons (default: %(default)s)")
    return parser.parse_args()


def binary_data(args):
    """The 2-D points and their 0/1 labels as floats of shape (N, 1), like the logits."""
    if args.dataset == "moons":
        X, y = mg.data.make_moons(args.n_samples, noise=args.noise, seed=args.seed)
    else:
        X, y = mg.data.make_blobs(args.n_samples, centers=BLOB_CENTERS, seed=args.seed)
    return X, y.astype(np.float32).reshape(-1, 1)


def train(model, loss_fn, X, y, args):
    """Split, train with SGD and evaluate: (history, test accuracy, the split)."""
    X_train, X_test, y_train, y_test = mg.data.train_test_split(X, y, test_size=0.25, seed=args.seed)
    train_loader, test_loader = _common.loaders(X_train, y_train, X_test, y_test, args.batch_size)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    history = mg.train.fit(
        model, loss_fn, optimizer, train_loader, epochs=args.epochs, val_loader=test_loader, progress=not args.quiet
    )
    accuracy = mg.train.evaluate(model, test_loader, loss_fn)["accuracy"]
    return history, accuracy, (X_train, X_test, y_train, y_test)


def main():
    args = parse_args()
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)

    # 1. Binary logistic regression on 2-D points.
    X, y = binary_data(args)
    binary = nn.Linear(2, 1)
    binary_history, binary_accuracy, split = train(binary, nn.BCEWithLogitsLoss(), X, y, args)
    (w1, w2), b = binary.weight.numpy()[0], binary.bias.numpy()[0]
    print(f"{args.dataset}: decision boundary {w1:+.3f}*x1 {w2:+.3f}*x2 {b:+.3f} = 0")
    print(f"{args.dataset} (binary logistic regression) test accuracy: {binary_accuracy:.4f}")

    # 2. Multinomial (softmax) regression on the digits, pixels scaled to [0, 1].
    X_digits, y_digits = mg.data.load_digits()
    softmax = nn.Linear(64, 10)
    softmax_history, softmax_accuracy, _ = train(softmax, nn.CrossEntropyLoss(), X_digits / 16.0, y_digits, args)
    print(f"digits (softmax regression) test accuracy: {softmax_accuracy:.4f}")

    if plot:
        X_train, X_test, y_train, y_test = split

        def predict(points):
            return (_common.predict(binary, points)[:, 0] > 0).astype(np.int64)

        region = (
            f"{args.dataset}: logistic regression (test accuracy {binary_accuracy:.3f})",
            predict,
            X_train,
            y_train[:, 0].astype(np.int64),
            X_test,
            y_test[:, 0].astype(np.int64),
        )
        curves = {args.dataset: binary_history, "digits softmax": softmax_history}
        _plotting.save_plot(args.plot, curves, regions=[region])
    return 0


if __name__ == "__main__":
    sys.exit(main())
