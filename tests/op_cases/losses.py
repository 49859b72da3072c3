"""Op-table cases for minigrad/ops/losses.py: the fused losses and the cross-entropy's gradient op.

``SoftmaxMinusTarget`` is checked on its own (logits and the upstream gradient, both differentiated)
and as the gradient the loss makes under ``create_graph=True``, whose gradgradcheck is the
loss's third derivative.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.losses import IndexTarget, SoftmaxMinusTarget

from . import normal, rng

LABELS = np.array([0, 3, 1, 1, 2])
LABELS_2D = np.array([[0, 3, 3], [1, 2, 0]])
KEEP = np.array([True, True, False, True, True])  # row 2 does not count
CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
PROBS = rng.dirichlet(np.ones(4), 5)


def softmax_minus_target(keep=None, weight=None, smoothing=0.0, mean=True):
    """x, g -> (softmax(x)·Σq − q)·g for LABELS with these options (q = 0 on rows not kept)."""
    target = IndexTarget(LABELS, keep, weight, smoothing, 4, np.float64, mean)
    return lambda x, g: SoftmaxMinusTarget(target)(x, g)


def gradient_of_the_loss(**options):
    """x -> d cross_entropy / dx, made with create_graph=True (so it is a SoftmaxMinusTarget node)."""
    return lambda x: mg.grad(F.cross_entropy(x, LABELS, **options), x, create_graph=True)[0]


CASES = {
    "CrossEntropyWithIndices": [
        (lambda x, kw=kw: F.cross_entropy(x, LABELS, **kw), (normal(5, 4),))
        for kw in (
            {},
            {"reduction": "sum"},
            {"reduction": "none"},
            {"label_smoothing": 0.2},
            {"weight": CLASS_WEIGHT, "ignore_index": 1, "label_smoothing": 0.3},
            {"weight": CLASS_WEIGHT, "reduction": "none", "label_smoothing": 0.1},
        )
    ]
    + [
        (lambda x: F.cross_entropy(x, LABELS_2D, weight=CLASS_WEIGHT), (normal(2, 4, 3),)),
        (lambda x: F.cross_entropy(x, np.array(2)), (normal(4),)),
    ],
    "SoftmaxMinusTarget": [
        (softmax_minus_target(), (normal(5, 4), normal(5))),
        (softmax_minus_target(KEEP, CLASS_WEIGHT), (normal(5, 4), normal(5))),
        (softmax_minus_target(KEEP, CLASS_WEIGHT, 0.3), (normal(5, 4), normal(5))),
        (softmax_minus_target(None, None, 0.2, mean=False), (normal(5, 4), normal(5))),
        (softmax_minus_target(KEEP, None, 0.2), (normal(5, 4), normal())),  # one upstream number for every row
        (gradient_of_the_loss(), (normal(5, 4),)),
        (gradient_of_the_loss(weight=CLASS_WEIGHT, ignore_index=1, label_smoothing=0.3), (normal(5, 4),)),
    ],
    "CrossEntropyWithProbabilities": [
        (lambda x, t, kw=kw: F.cross_entropy(x, t, **kw), (normal(5, 4), PROBS))
        for kw in ({}, {"reduction": "none"}, {"weight": CLASS_WEIGHT, "label_smoothing": 0.25, "reduction": "sum"})
    ]
    + [(lambda x: F.cross_entropy(x, PROBS.reshape(5, 2, 2).transpose(0, 2, 1)), (normal(5, 2, 2),))],
    "BinaryCrossEntropy": [
        (
            lambda p, t: F.binary_cross_entropy(p, t, weight=np.arange(1.0, 4.0)),
            (rng.uniform(0.1, 0.9, (2, 3)), rng.uniform(0, 1, (2, 3))),
        ),
        (lambda p, t: F.binary_cross_entropy(p, t, reduction="none"), (rng.uniform(0.1, 0.9, 4), rng.uniform(0, 1, 4))),
    ],
}
