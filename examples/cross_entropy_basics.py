"""Cross-entropy from first principles, with minigrad.

What it shows, in order (the math is in docs/cross-entropy.md):

1. The worked example: P = (0.5, 0.5), Q = (0.7, 0.3) gives H(P, Q) = 0.7803 nats,
   by ``mg.metrics.cross_entropy`` and by the fused ``F.cross_entropy`` fed logits log Q.
2. H(P) <= H(P, Q) for any Q, and the gap is exactly KL(P || Q).
3. The fused loss's gradient with respect to the logits is (softmax(x) - one_hot(y)) / N,
   checked numerically on random logits.
4. A softmax regression (one Linear layer) fitted to three Gaussian blobs with plain
   SGD, the cross-entropy printed as it falls. It starts at 0.5001, well below
   ln 3 = 1.0986: ln 3 is the loss of a model that knows nothing (all three logits
   equal, Q uniform), but these random initial weights are not such a model. The blobs
   lie far apart, and after standardising, the untrained Linear layer's logits already
   differ by about one unit between blobs and happen to rank the right class first for
   88% of the points, so the untrained loss is lower than the uniform guess's.

Sections 1-3 compute the worked example of docs/cross-entropy.md §2 and check the
identity of §1 and the gradient of §5; the other numbers on that page (§4's overflow
limits, §7's denominators, §8's binary case) are checked by the tests.

Run it with ``python examples/cross_entropy_basics.py``; it takes a second or two.
"""

import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim


def worked_example():
    p, q = [0.5, 0.5], [0.7, 0.3]
    by_formula = -(0.5 * np.log(0.7) + 0.5 * np.log(0.3))
    by_metric = mg.metrics.cross_entropy(p, q)
    # softmax(log Q) = Q, so the fused loss with probability target P is H(P, Q) too
    by_loss = F.cross_entropy(mg.tensor(np.log(q)), np.array(p)).item()
    print("1. worked example, P = (0.5, 0.5), Q = (0.7, 0.3)")
    print(f"   -(0.5 ln 0.7 + 0.5 ln 0.3) = 0.5 * ({-np.log(0.7):.4f} + {-np.log(0.3):.4f}) = {by_formula:.4f} nats")
    print(f"   mg.metrics.cross_entropy(P, Q)      = {by_metric:.4f} nats")
    print(f"   F.cross_entropy(log Q, target=P)    = {by_loss:.4f} nats")


def entropy_gap():
    p = np.array([0.5, 0.5])
    print("2. H(P) <= H(P, Q): the gap is KL(P || Q)")
    print(f"   H(P) = {mg.metrics.entropy(p):.4f} nats (ln 2)")
    for q in ([0.5, 0.5], [0.7, 0.3], [0.9, 0.1], [0.99, 0.01]):
        h_pq = mg.metrics.cross_entropy(p, q)
        kl = mg.metrics.kl_divergence(p, q)
        print(
            f"   Q = ({q[0]:.2f}, {q[1]:.2f}):  H(P, Q) = {h_pq:.4f} = H(P) + KL = "
            f"{mg.metrics.entropy(p):.4f} + {kl:.4f}"
        )


def gradient_check():
    rng = np.random.default_rng(0)
    n, classes = 8, 5
    x = mg.tensor(rng.standard_normal((n, classes)), requires_grad=True)
    y = rng.integers(0, classes, n)
    F.cross_entropy(x, y).backward()
    expected = (F.softmax(x.detach(), axis=1).data - F.one_hot(y, classes).data) / n
    print("3. gradient of the fused loss against (softmax - one_hot) / N")
    print(f"   max |difference| = {np.abs(x.grad - expected).max():.2e}")


def softmax_regression(steps=100, lr=0.5):
    X, y = mg.data.make_blobs(n_samples=300, centers=3, n_features=2, seed=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised features: one learning rate suits both
    mg.manual_seed(0)
    model = nn.Linear(2, 3)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    inputs = mg.tensor(X)
    print("4. softmax regression on three blobs (300 points), full-batch SGD")
    first = last = None
    for step in range(steps + 1):
        loss = F.cross_entropy(model(inputs), y)
        if step % 20 == 0:
            accuracy = mg.metrics.accuracy(model(inputs), y)
            print(f"   step {step:3d}: cross-entropy {loss.item():.4f}, accuracy {accuracy:.3f}")
            if step == 0:
                print(
                    f"             (all logits equal would give ln 3 = {np.log(3):.4f}; these random initial "
                    "weights already rank the right class first for most points)"
                )
        first = loss.item() if first is None else first
        last = loss.item()
        if step == steps:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"   cross-entropy fell from {first:.4f} to {last:.4f}")
    return first, last


def main():
    worked_example()
    entropy_gap()
    gradient_check()
    softmax_regression()


if __name__ == "__main__":
    main()
