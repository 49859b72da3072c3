"""The peer autograd libraries (MyGrad, HIPS autograd, micrograd) on the benchmark workloads.

Optional and never a dependency: ``pip install mygrad autograd micrograd``. Each step is
written with the library's own public API and checked at setup against the NumPy
baseline (same weights, same data): a peer that computes something else raises
``PeerCheckFailed`` instead of giving a number.
"""

import importlib
import importlib.metadata
import sys

import cross_entropy
import deep_chain
import mlp_step
import numpy as np
import op_overhead

from minigrad import nn

PEERS = ("mygrad", "autograd", "micrograd")
MLP_PROBLEMS = {"mlp_step": ((784, 256, 256, 10), 128), "mlp_small": ((64, 32, 10), 32)}
RECURSION_ERROR = "RecursionError"


class PeerCheckFailed(AssertionError):
    """A peer's result differs from the NumPy baseline's."""


def installed():
    """{peer: version} for the peers that import."""
    found = {}
    for name in PEERS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        found[name] = importlib.metadata.version(name)
    return found


def missing():
    found = installed()
    return [name for name in PEERS if name not in found]


def missing_note():
    """One line naming the peers that do not import and the pip command for them, or ""."""
    names = missing()
    return f"not installed, left out: {', '.join(names)} (pip install {' '.join(names)})" if names else ""


# MyGrad: tensors record their ops; backward fills .grad; SGD writes into .data.


def mygrad_mlp(weights, biases, x, y):
    import mygrad as mg_
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy

    params = [(mg_.tensor(w), mg_.tensor(b)) for w, b in zip(weights, biases)]

    def step():
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = relu(h)
        loss = softmax_crossentropy(h, y)  # its own fused loss for integer labels
        loss.backward()
        for w, b in params:
            w.data -= mlp_step.LR * w.grad
            b.data -= mlp_step.LR * b.grad
        return loss.item()

    return step


def mygrad_cross_entropy(logits, labels):
    import mygrad as mg_
    from mygrad.nnet.losses import softmax_crossentropy

    x = mg_.tensor(logits)

    def step():
        loss = softmax_crossentropy(x, labels)
        loss.backward()
        return loss.item(), x.grad

    return step


def mygrad_chain(start, ops):
    import mygrad as mg_

    x = mg_.tensor(start)

    def run():
        op_overhead.chain(x, ops).sum().backward()
        return x.grad

    return run


# HIPS autograd: a function of the parameters, differentiated by value_and_grad / grad.


def autograd_mlp(weights, biases, x, y):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    params = list(zip(weights, biases))
    rows = np.arange(len(y))

    def loss(params):
        h = x
        for i, (w, b) in enumerate(params):
            h = anp.dot(h, w.T) + b
            if i < len(params) - 1:
                h = anp.maximum(h, 0)
        return anp.mean(logsumexp(h, axis=1) - h[rows, y])  # logsumexp shifts by the max itself

    loss_and_grads = autograd.value_and_grad(loss)

    def step():
        value, grads = loss_and_grads(params)
        for (w, b), (w_grad, b_grad) in zip(params, grads):
            w -= mlp_step.LR * w_grad
            b -= mlp_step.LR * b_grad
        return value

    return step


def autograd_cross_entropy(logits, labels):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    rows = np.arange(len(labels))
    loss_and_grad = autograd.value_and_grad(lambda z: anp.mean(logsumexp(z, axis=1) - z[rows, labels]))
    return lambda: loss_and_grad(logits)


def autograd_chain(start, ops):
    import autograd
    import autograd.numpy as anp

    chain_grad = autograd.grad(lambda x: anp.sum(op_overhead.chain(x, ops)))
    return lambda: chain_grad(start)


# micrograd: a scalar engine, so only the chains, on one Value (the others run them on 16 float32s).

MICROGRAD_RECURSION_LIMIT = 10_000  # op_overhead's 1,000 ops overflow the default 1,000; deep_chain's still overflow


def micrograd_chain(start, ops):
    """Its backward sorts the graph recursively, so it runs under MICROGRAD_RECURSION_LIMIT."""
    from micrograd.engine import Value

    x = Value(float(np.ravel(start)[0]))

    def run():
        x.grad = 0.0  # micrograd accumulates into .grad
        y = op_overhead.chain(x, ops)
        default = sys.getrecursionlimit()
        sys.setrecursionlimit(max(default, MICROGRAD_RECURSION_LIMIT))
        try:
            y.backward()
        finally:
            sys.setrecursionlimit(default)
        return x.grad

    return run


BUILDERS = {
    "mygrad": {"mlp": mygrad_mlp, "cross_entropy": mygrad_cross_entropy, "chain": mygrad_chain},
    "autograd": {"mlp": autograd_mlp, "cross_entropy": autograd_cross_entropy, "chain": autograd_chain},
    "micrograd": {"chain": micrograd_chain},
}


def mlp_problem(sizes, batch):
    """The data and copies of the initial weights mlp_step.make_problem gives minigrad."""
    x, y, model = mlp_step.make_problem(sizes, batch)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return [m.weight.data.copy() for m in linears], [m.bias.data.copy() for m in linears], x, y


def check_close(peer, what, got, want, rtol, atol=0.0):
    try:
        np.testing.assert_allclose(
            np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64), rtol=rtol, atol=atol
        )
    except AssertionError as error:
        raise PeerCheckFailed(f"{peer}: {what} differs from the NumPy baseline's (rtol {rtol}):{error}") from None


def checked_mlp(peer, build, sizes, batch):
    """The peer's step, after its losses over three steps matched the NumPy step's on the same weights."""
    step, baseline = build(*mlp_problem(sizes, batch)), mlp_step.numpy_step(*mlp_problem(sizes, batch))
    for i in range(3):
        check_close(peer, f"the loss of step {i + 1}", step(), baseline(), rtol=1e-4)
    return step


def checked_cross_entropy(peer, build):
    logits, labels = cross_entropy.make_problem()
    step = build(logits, labels)
    (loss, grad), (want_loss, want_grad) = step(), cross_entropy.numpy_step(logits, labels)()
    check_close(peer, "the loss", loss, want_loss, rtol=1e-4)
    check_close(peer, "the gradient", grad, want_grad, rtol=1e-4, atol=1e-12)
    return step


def checked_chain(peer, build, start, ops, rtol):
    """The chain's gradient against op_overhead.numpy_chain's; RECURSION_ERROR if the peer overflows."""
    run = build(start, ops)
    try:
        grad = run()
    except RecursionError:
        return RECURSION_ERROR
    want = op_overhead.numpy_chain(ops)()
    check_close(
        peer,
        f"the gradient of the {ops}-op chain",
        np.broadcast_to(grad, np.shape(start)),
        want[: np.size(start)].reshape(np.shape(start)),
        rtol=rtol,
    )
    return run


def steps(workload):
    """{peer: step function} for the installed peers that run ``workload``, each checked first.

    For deep_chain a peer's value is the string RECURSION_ERROR instead when its backward recurses too deep.
    """
    found = {}
    for peer in installed():
        builders = BUILDERS[peer]
        if workload in MLP_PROBLEMS and "mlp" in builders:
            found[peer] = checked_mlp(peer, builders["mlp"], *MLP_PROBLEMS[workload])
        elif workload == "cross_entropy" and "cross_entropy" in builders:
            found[peer] = checked_cross_entropy(peer, builders["cross_entropy"])
        elif workload == "op_overhead":
            found[peer] = checked_chain(
                peer, builders["chain"], np.ones(op_overhead.SIZE, dtype=np.float32), op_overhead.OPS, rtol=1e-4
            )
        elif workload == "deep_chain":
            # the reference multiplies by 1.0001 rounded to float32; kept in float64 (MyGrad) that is ~8e-4 apart
            found[peer] = checked_chain(peer, builders["chain"], np.float32(1.0), deep_chain.DEPTH, rtol=2e-3)
    return found
