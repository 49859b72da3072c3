"""Op-table cases for ops/statistics.py: var, std, prod, cumsum, cumprod and the 2-norm."""

from minigrad.ops.statistics import cumprod, cumsum, norm, prod, std, var

from . import normal, positive


def with_zeros(shape, where):
    """Normal values with exact zeros at the flat positions ``where`` (for the no-division gradient paths)."""
    values = normal(*shape)
    values.flat[list(where)] = 0.0
    return values


REDUCTIONS = [(None, False), (1, False), (-1, True), ((0, 2), False), ((0, -1), True)]

CASES = {
    "Var": [(lambda a, ax=ax, k=k: var(a, axis=ax, keepdims=k), (normal(2, 3, 4),)) for ax, k in REDUCTIONS]
    + [
        (lambda a: var(a, dim=0, ddof=1), (normal(3, 2),)),
        (lambda a: var(a), (normal(),)),
    ],
    "Std": [(lambda a, ax=ax, k=k: std(a, axis=ax, keepdims=k), (normal(2, 3, 4),)) for ax, k in REDUCTIONS]
    + [(lambda a: std(a, axis=-1, ddof=1), (normal(3, 4),))],
    "Prod": [(lambda a, ax=ax, k=k: prod(a, axis=ax, keepdims=k), (positive(2, 3, 2),)) for ax, k in REDUCTIONS]
    + [
        (lambda a: prod(a, axis=1), (with_zeros((3, 4), [1, 4, 5, 10]),)),  # rows with 0, 1 and 2 zeros
        (lambda a: prod(a, axis=(0, -1)), (with_zeros((2, 2, 3), [0, 7]),)),
        (lambda a: prod(a), (with_zeros((2, 3), [3, 4]),)),
        (lambda a: prod(a), (normal(),)),
    ],
    "CumSum": [
        (lambda a: cumsum(a, 1), (normal(2, 3, 2),)),
        (lambda a: cumsum(a, axis=-1), (normal(3, 4),)),
        (lambda a: cumsum(a), (normal(2, 3),)),
        (lambda a: cumsum(a, 0), (normal(),)),
    ],
    "CumProd": [
        (lambda a: cumprod(a, 1), (normal(2, 3, 2),)),
        (lambda a: cumprod(a, axis=-1), (with_zeros((3, 4), [1, 4, 5, 10]),)),  # 0, 1 and 2 zeros per row
        (lambda a: cumprod(a, 0), (with_zeros((3, 2), [0, 2, 3]),)),
        (lambda a: cumprod(a), (normal(2, 3),)),
        (lambda a: cumprod(a, -1), (normal(),)),
    ],
    "Norm": [(lambda a, ax=ax, k=k: norm(a, axis=ax, keepdims=k), (normal(2, 3, 4),)) for ax, k in REDUCTIONS]
    + [(lambda a: norm(a, 2, dim=0), (normal(3),)), (lambda a: norm(a), (normal(),))],
}
