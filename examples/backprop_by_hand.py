"""Backpropagation by hand, next to minigrad's, for a two-layer network.

The network is Linear -> tanh -> Linear with a softmax cross-entropy loss, on a
batch of 4 samples with 3 features and 2 classes, in float64:

    h = x W1ᵀ + b1        a = tanh(h)        z = a W2ᵀ + b2
    loss = mean over samples of -log softmax(z)[label]

Backward, written out with the chain rule (N = batch size, Y = one-hot labels):

    dz  = (softmax(z) - Y) / N          the softmax-cross-entropy gradient (docs/cross-entropy.md)
    dW2 = dzᵀ a          db2 = Σ_rows dz
    da  = dz W2
    dh  = da · (1 - a²)                  tanh' = 1 - tanh²
    dW1 = dhᵀ x          db1 = Σ_rows dh

The script computes these in NumPy and with ``loss.backward()``, prints both and the
largest difference per parameter, prints the recorded backward pass
(``mg.autograd.trace``), and writes the trace and the graph (DOT, and SVG if
Graphviz is installed) into ``--out`` (default: a new temporary folder).

    python examples/backprop_by_hand.py --out .
"""

import argparse
import os
import tempfile

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import viz


def make_problem(seed=0):
    """A tiny batch and the four parameters of a 3 -> 5 -> 2 network, all float64 ndarrays."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, 3))
    labels = np.array([0, 1, 1, 0])
    params = {
        "W1": rng.normal(size=(5, 3)) * 0.5,
        "b1": rng.normal(size=5) * 0.1,
        "W2": rng.normal(size=(2, 5)) * 0.5,
        "b2": rng.normal(size=2) * 0.1,
    }
    return x, labels, params


def gradients_by_hand(x, labels, W1, b1, W2, b2):
    """The loss and the gradient of every parameter, with the chain rule written out in NumPy."""
    n = len(x)
    h = x @ W1.T + b1
    a = np.tanh(h)
    z = a @ W2.T + b2
    z_shifted = z - z.max(axis=1, keepdims=True)  # log-sum-exp with the max subtracted
    log_p = z_shifted - np.log(np.exp(z_shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels].mean()

    Y = np.eye(z.shape[1])[labels]
    dz = (np.exp(log_p) - Y) / n
    dW2, db2 = dz.T @ a, dz.sum(axis=0)
    da = dz @ W2
    dh = da * (1 - a**2)
    dW1, db1 = dh.T @ x, dh.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def gradients_by_minigrad(x, labels, params, out_dir):
    """The same loss and gradients from minigrad's backward, with the pass traced and the graph saved."""
    p = {name: mg.tensor(value, requires_grad=True) for name, value in params.items()}
    inputs = mg.tensor(x)
    a = F.linear(inputs, p["W1"], p["b1"]).tanh()
    loss = F.cross_entropy(F.linear(a, p["W2"], p["b2"]), labels)

    graph = viz.to_dot(loss, show_grads=True, names={"x": inputs, **p})  # before backward frees the graph
    with mg.autograd.trace(names=p) as t:
        loss.backward()
    paths = _write(out_dir, graph, str(t))
    return loss.item(), {name: tensor.grad for name, tensor in p.items()}, t, paths


def _write(out_dir, graph, trace_text):
    os.makedirs(out_dir, exist_ok=True)
    paths = {"trace": os.path.join(out_dir, "backward_trace.txt"), "graph": os.path.join(out_dir, "graph.dot")}
    with open(paths["trace"], "w", encoding="utf-8") as f:
        f.write(trace_text + "\n")
    with open(paths["graph"], "w", encoding="utf-8") as f:
        f.write(graph)
    try:
        paths["picture"] = viz.render(graph, os.path.join(out_dir, "graph.svg"))
    except RuntimeError as error:
        print(f"(no picture drawn: {str(error).split('. ')[0]})")
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", default=None, help="folder for the trace and the graph (default: a new temporary folder)"
    )
    args = parser.parse_args()
    out_dir = args.out or tempfile.mkdtemp(prefix="minigrad-backprop-")

    x, labels, params = make_problem()
    loss_hand, by_hand = gradients_by_hand(x, labels, **params)
    loss_mg, by_mg, t, paths = gradients_by_minigrad(x, labels, params, out_dir)

    np.set_printoptions(precision=6, suppress=True)
    print(f"loss: by hand {loss_hand:.12f}   minigrad {loss_mg:.12f}")
    for name in params:
        print(f"\nd loss / d {name}, shape {by_hand[name].shape}")
        print("  by hand:\n" + _indent(by_hand[name]))
        print("  minigrad:\n" + _indent(by_mg[name]))
    print("\nlargest difference per parameter:")
    for name in params:
        print(f"  {name:3s} max |difference| = {np.abs(by_hand[name] - by_mg[name]).max():.3e}")
    print(f"  loss max |difference| = {abs(loss_hand - loss_mg):.3e}")

    print("\nThe backward pass as minigrad ran it:\n")
    print(t)
    print()
    for what, path in paths.items():
        print(f"wrote the {what}: {path}")


def _indent(array):
    return "\n".join("    " + line for line in str(array).splitlines())


if __name__ == "__main__":
    main()
