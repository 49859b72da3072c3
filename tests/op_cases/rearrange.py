"""Op-table cases for the Functions of ops/rearrange.py (constant padding and roll); the other
rearranging ops are compositions of indexing and reshaping, checked in tests/test_rearrange.py."""

from minigrad.ops.rearrange import pad, roll

from . import normal

CASES = {
    "Pad": [
        (lambda a: pad(a, 1), (normal(2, 3),)),
        (lambda a: pad(a, ((0, 2), (1, 0)), constant_values=3.0), (normal(2, 3),)),
        (lambda a: pad(a, (2, 1)), (normal(3),)),
        (lambda a: pad(a, ((1, 1), (0, 0), (2, 0))), (normal(2, 1, 2),)),
    ],
    "Roll": [
        (lambda a: roll(a, 2), (normal(2, 3),)),
        (lambda a: roll(a, -1, axis=-1), (normal(2, 3),)),
        (lambda a: roll(a, (1, 2), axis=(0, 1)), (normal(3, 4),)),
        (lambda a: roll(a, 1), (normal(),)),
    ],
}
