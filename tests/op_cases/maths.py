"""Op-table cases for minigrad/ops/maths.py: every differentiable op there, first and second order.

Inputs stay inside each function's domain and away from its poles and jumps (rounding
steps, the wrap-around points of remainder and fmod), where finite differences mean nothing.
"""

import numpy as np

from minigrad.ops import maths

from . import away_from_zero, between, binary_cases, normal, positive, rng


def _between_whole_numbers(*shape):
    """k + u with k a whole number in [-3, 3) and u in (0.2, 0.4) or (0.6, 0.8): away from k and k + 1/2."""
    offset = rng.uniform(0.2, 0.4, shape) + rng.choice([0.0, 0.4], shape)
    return rng.integers(-3, 3, shape) + offset


def _divisors(*shape):
    """±1, ±2 or ±4: with _between_whole_numbers dividends, a/b stays at least 1/16 from a whole number."""
    return rng.choice([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0], shape)


def _unary(fn, make=normal):
    return [(fn, (make(3, 4),)), (fn, (make(),))]  # a matrix and a 0-d tensor


CASES = {
    "Sin": _unary(maths.sin),
    "Cos": _unary(maths.cos),
    "Tan": _unary(maths.tan, between(-1.2, 1.2)),
    "Arcsin": _unary(maths.arcsin, between(-0.9, 0.9)),
    "Arccos": _unary(maths.arccos, between(-0.9, 0.9)),
    "Arctan": _unary(maths.arctan, lambda *s: 2 * normal(*s)),
    "Sinh": _unary(maths.sinh),
    "Cosh": _unary(maths.cosh),
    "Arcsinh": _unary(maths.arcsinh, lambda *s: 2 * normal(*s)),
    "Arccosh": _unary(maths.arccosh, between(1.2, 3.0)),
    "Arctanh": _unary(maths.arctanh, between(-0.9, 0.9)),
    "Log2": _unary(maths.log2, positive),
    "Log10": _unary(maths.log10, positive),
    "Log1p": _unary(maths.log1p, between(-0.5, 2.0)),
    "Expm1": _unary(maths.expm1),
    "Exp2": _unary(maths.exp2),
    "Square": _unary(maths.square),
    "Reciprocal": _unary(maths.reciprocal, away_from_zero),
    "Erf": _unary(maths.erf, lambda *s: 1.5 * normal(*s)) + [(lambda a: maths.erf(a * 2), (between(-3.5, 3.5)(7),))],
    "LogAddExp": binary_cases(maths.logaddexp)
    + [(lambda a: maths.logaddexp(a, 0.5), (normal(4),)), (lambda b: maths.logaddexp(-1.0, b), (normal(2, 2),))],
    "Floor": _unary(maths.floor, _between_whole_numbers),
    "Ceil": _unary(maths.ceil, _between_whole_numbers),
    "Trunc": _unary(maths.trunc, _between_whole_numbers),
    "Round": _unary(maths.round, _between_whole_numbers)
    + [(lambda a: maths.round(a, decimals=1) * a, (_between_whole_numbers(5) / 10,))],
    "Remainder": binary_cases(maths.remainder, _between_whole_numbers, _divisors)
    + [(lambda a: maths.remainder(a, -2.0), (_between_whole_numbers(4),))],
    "Fmod": binary_cases(maths.fmod, _between_whole_numbers, _divisors)
    + [(lambda b: maths.fmod(2.5, b), (np.array([-2.0, 1.0, 4.0]),))],
}
