"""Gradcheck cases for the op table, one module per family of ops.

Each module here defines ``CASES``: a dict from a Function class's name to a list of
(function of Tensors, tuple of input arrays). ``tests/test_op_table.py`` merges them with
its own table, checks every case first and second order in float64, and fails when a
Function in the package has no entry anywhere.
"""

import importlib
import pkgutil

import numpy as np

rng = np.random.default_rng(1234)


def normal(*shape):
    return rng.standard_normal(shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    return rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def between(lo, hi):
    """A maker of arrays uniform in (lo, hi)."""
    return lambda *shape: rng.uniform(lo, hi, shape)


BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((3, 1), (1, 3))]


def binary_cases(fn, make_a=normal, make_b=normal):
    return [(fn, (make_a(*sa), make_b(*sb))) for sa, sb in BROADCAST_PAIRS]


def collect():
    """Every module's CASES merged into one dict (a name defined twice is an error)."""
    table = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, cases in module.CASES.items():
            if name in table:
                raise AssertionError(f"op {name} has cases in two modules")
            table[name] = cases
    return table
