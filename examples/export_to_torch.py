"""Export minigrad models to PyTorch through their state_dict, and check they predict the same.

    python examples/export_to_torch.py               # needs torch for the comparison
    python examples/export_to_torch.py --quick       # a few seconds

The way out when you outgrow minigrad: its layers have PyTorch's names, arguments and
weight layouts, so a ``Sequential`` of them has the same ``state_dict`` keys and shapes
as the ``torch.nn.Sequential`` of the same layers. The script trains two models on the
8x8 digits (the 75/25 split of ``train_digits.py``): the MLP 64-256-128-10 and a small CNN
(Conv2d, ReLU, MaxPool2d, twice, then Flatten and Linear). It builds the PyTorch
equivalent of each layer by layer, copies the weights with ``torch.from_numpy`` through
``load_state_dict``, and compares the logits on the test images: the same predicted
digits, and logits equal up to float32 rounding (about 1e-5 on logits near 30; copied to
float64, both differ by about 1e-14). The last line is the largest float32 difference.

Without PyTorch it trains the models, says how to install it, and exits 0.
"""

import copy
import sys

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting
import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim

INSTALL_HINT = (
    "PyTorch is not installed, so there is nothing to export to. Install it with\n"
    "    pip install torch==2.13.0\n"
    'or, from a clone of minigrad, with its benchmark extras: pip install ".[bench]"\n'
    "then run this script again."
)
TOLERANCE = 1e-4  # float32 logits summed in a different order differ by about 1e-6


def parse_args():
    parser = _common.make_parser(__doc__, epochs=15, lr=0.1, batch_size=32)
    parser.add_argument("--quick", action="store_true", help="2 epochs per model: seconds, for the tests")
    return parser.parse_args()


def digits_cnn():
    """A small CNN for 1x8x8 digits: two Conv2d-ReLU-MaxPool2d stages (8x8 -> 4x4 -> 2x2), then Linear."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


def train(model, X_train, y_train, X_test, y_test, args):
    """SGD with momentum and a cosine schedule, as in train_digits.py; returns the history."""
    train_loader, test_loader = _common.loaders(X_train, y_train, X_test, y_test, args.batch_size)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    return mg.train.fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        train_loader,
        epochs=args.epochs,
        val_loader=test_loader,
        progress=not args.quiet,
        scheduler=scheduler,
    )


# --- the export ------------------------------------------------------------------------------


def torch_layer(layer, torch):
    """The PyTorch module equivalent to one minigrad layer (same arguments, fresh weights)."""
    if isinstance(layer, nn.Linear):
        return torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    if isinstance(layer, nn.Conv2d):
        return torch.nn.Conv2d(
            layer.in_channels,
            layer.out_channels,
            kernel_size=layer.kernel_size,
            stride=layer.stride,
            padding=layer.padding,
            dilation=layer.dilation,
            groups=layer.groups,
            bias=layer.bias is not None,
        )
    if isinstance(layer, nn.MaxPool2d):
        return torch.nn.MaxPool2d(layer.kernel_size, stride=layer.stride, padding=layer.padding)
    if isinstance(layer, nn.ReLU):
        return torch.nn.ReLU()
    if isinstance(layer, nn.Flatten):
        return torch.nn.Flatten()
    raise TypeError(f"no PyTorch equivalent written here for {layer!r}; add a case to torch_layer")


def to_torch(model, torch):
    """A ``torch.nn.Sequential`` with the same layers in the same order, holding the model's weights.

    The layers of both are named "0", "1", ..., so the state_dict keys ("0.weight",
    "3.bias", ...) and the weight shapes ((out, in) for Linear, (out, in, kH, kW) for
    Conv2d) are the same: the weights go across as they are, with ``torch.from_numpy``.
    """
    torch_model = torch.nn.Sequential(*(torch_layer(layer, torch) for _, layer in model.named_children()))
    state = {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in model.state_dict().items()}
    torch_model.load_state_dict(state)  # strict: a missing or extra key, or a shape mismatch, is an error
    return torch_model.eval()


def compare(name, model, torch_model, X_test, torch):
    """Print how far PyTorch's logits are from minigrad's; return (identical predictions?, difference).

    The difference in float32 is rounding: the two libraries add the same products in a
    different order. Both models are also copied to float64 and compared again, where
    the same rounding is a billion times smaller: the maths is the same.
    """
    ours = _common.predict(model, X_test)
    with torch.no_grad():
        theirs = torch_model(torch.from_numpy(X_test)).numpy()
        theirs64 = copy.deepcopy(torch_model).double()(torch.from_numpy(X_test.astype(np.float64))).numpy()
    ours64 = _common.predict(copy.deepcopy(model).to(dtype=mg.float64), X_test.astype(np.float64))
    difference = float(np.abs(ours - theirs).max())
    difference64 = float(np.abs(ours64 - theirs64).max())
    same = np.array_equal(ours.argmax(axis=1), theirs.argmax(axis=1))
    print(
        f"{name}: PyTorch predicts {'the same' if same else 'DIFFERENT'} digits on the {len(X_test)} test images; "
        f"largest logit difference {difference:.2e} in float32 (logits up to {np.abs(ours).max():.1f}), "
        f"{difference64:.2e} in float64"
    )
    return same and difference < TOLERANCE and difference64 < 1e-10, difference


def main():
    args = parse_args()
    if args.quick:
        args.epochs = 2
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)

    X, y = mg.data.load_digits()
    X = (X / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = mg.data.train_test_split(X, y, test_size=0.25, seed=args.seed)
    images_train, images_test = X_train.reshape(-1, 1, 8, 8), X_test.reshape(-1, 1, 8, 8)

    mlp = nn.MLP([64, 256, 128, 10])
    cnn = digits_cnn()
    histories = {
        "MLP": train(mlp, X_train, y_train, X_test, y_test, args),
        "CNN": train(cnn, images_train, y_train, images_test, y_test, args),
    }
    for name, model, inputs in (("MLP", mlp, X_test), ("CNN", cnn, images_test)):
        accuracy = float((_common.predict(model, inputs).argmax(axis=1) == y_test).mean())
        print(f"minigrad {name}: test accuracy {accuracy:.4f}")
    if plot:
        _plotting.save_plot(args.plot, histories)

    try:
        import torch
    except ImportError:
        print(INSTALL_HINT)
        return 0

    print(f"exporting to PyTorch {torch.__version__} through the state_dict")
    results = [
        compare("MLP", mlp, to_torch(mlp, torch), X_test, torch),
        compare("CNN", cnn, to_torch(cnn, torch), images_test, torch),
    ]
    if not all(ok for ok, _ in results):
        print(f"error: PyTorch's predictions differ from minigrad's (tolerance {TOLERANCE:g})", file=sys.stderr)
        return 1
    print(f"largest logit difference: {max(difference for _, difference in results):.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
