"""Op-table cases for ops/einsum.py: contractions, diagonals, sums, ellipsis broadcasting, three operands."""

from minigrad.ops.einsum import einsum

from . import normal

SUBSCRIPTS = [
    ("ij,jk->ik", (2, 3), (3, 4)),
    ("ij,jk", (2, 3), (3, 2)),  # implicit output
    ("ii->i", (3, 3)),
    ("ii", (3, 3)),  # the trace
    ("ij->", (2, 3)),
    ("iij,jk->ki", (2, 2, 3), (3, 2)),
    ("...ij,...jk->...ik", (2, 1, 2, 3), (4, 3, 2)),  # ellipsis broadcasting, one axis of length 1
    ("ij,j->i", (3, 1), (4,)),  # a length-1 axis broadcast
    ("i,j->ij", (2,), (3,)),
    ("ij,jk,k->i", (2, 3), (3, 2), (2,)),
    (",i->i", (), (3,)),
]

CASES = {
    "Einsum": [
        (lambda *ops, s=s: einsum(s, *ops), tuple(normal(*shape) for shape in shapes)) for s, *shapes in SUBSCRIPTS
    ]
}
