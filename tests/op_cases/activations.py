"""Op-table cases for minigrad/ops/activations.py: each activation Function, first and second order.

Inputs stay away from the kinks (0 for leaky_relu and elu, the clip points of hardtanh,
±3 for hardsigmoid and hardswish, softplus's threshold), where the slope jumps.
"""

import numpy as np

import minigrad.nn.functional as F

from . import away_from_zero, normal, rng


def _away_from(*kinks, low=-5.0, high=5.0):
    """A maker of arrays in (low, high) at least 0.1 from every kink."""
    kinks = np.array(kinks)

    def make(*shape):
        values = rng.uniform(low, high, shape)
        near = np.abs(values[..., None] - kinks).min(axis=-1) < 0.1
        return np.where(near, values + 0.25, values)  # a nudge that lands >= 0.15 from that kink and others

    return make


CASES = {
    "Gelu": [
        (F.gelu, (2 * normal(3, 4),)),
        (F.gelu, (normal(),)),
        (lambda x: F.gelu(x, approximate="tanh"), (2 * normal(3, 4),)),
    ],
    "LeakyRelu": [
        (F.leaky_relu, (away_from_zero(3, 4),)),
        (lambda x: F.leaky_relu(x, negative_slope=0.2), (away_from_zero(),)),
    ],
    "Elu": [
        (F.elu, (2 * away_from_zero(3, 4),)),
        (lambda x: F.elu(x, alpha=0.5), (away_from_zero(5),)),
        (F.selu, (2 * away_from_zero(3, 4),)),
    ],
    "Softplus": [
        (F.softplus, (3 * normal(3, 4),)),
        (lambda x: F.softplus(x, beta=2.0, threshold=1.0), (_away_from(0.5, low=-2.0, high=2.0)(3, 4),)),
        (F.mish, (2 * normal(3, 4),)),
        (F.mish, (normal(),)),
    ],
    "Hardtanh": [
        (F.hardtanh, (_away_from(-1.0, 1.0, low=-2.0, high=2.0)(3, 4),)),
        (lambda x: F.hardtanh(x, -0.5, 2.0), (_away_from(-0.5, 2.0, low=-1.0, high=3.0)(5),)),
        (F.relu6, (_away_from(0.0, 6.0, low=-2.0, high=8.0)(3, 4),)),
    ],
    "Hardsigmoid": [(F.hardsigmoid, (_away_from(-3.0, 3.0)(3, 4),))],
    "Hardswish": [(F.hardswish, (_away_from(-3.0, 3.0)(3, 4),)), (F.hardswish, (np.array(1.3),))],
}
