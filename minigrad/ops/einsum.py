"""einsum: sums of products over labelled axes, like ``np.einsum``, differentiable in every operand.

``einsum`` first rewrites the subscripts in a plain form: ``...`` becomes letters of its
own, the implicit output (no ``->``) is spelled out, and every label's length is
checked. The Function then works on that form only.

Backward, for operand i: out = Σ Π operands, so d out/d operand_i is the einsum of the
output gradient with the other operands, written into operand i's labels. Three
details: a label that operand i repeats (a diagonal, ``ii``) gets its gradient on the
diagonal only; a label that only operand i has was summed away, so its gradient is
broadcast back along it; an axis of length 1 that was broadcast gets its gradient
summed back (the engine does that).
"""

from __future__ import annotations

import string

import numpy as np

from ..autograd import Function
from ..tensor import to_array
from ..typing import TensorLike, TensorOrArray
from .shape import broadcast_to, reshape, scatter_add


class Einsum(Function):
    def __init__(self, terms, output):
        self.terms, self.output = terms, output  # labels per operand, output labels

    def forward(self, *arrays):
        self.sizes = {}  # each label's length; a length of 1 broadcasts
        for labels, array in zip(self.terms, arrays, strict=True):
            for label, n in zip(labels, array.shape, strict=True):
                if self.sizes.get(label, 1) == 1:
                    self.sizes[label] = n
        spec = ",".join(self.terms) + "->" + self.output
        return np.einsum(spec, *arrays, optimize=len(arrays) > 1)  # a contraction order for 2+ operands

    def backward(self, g, out, *operands):
        # d out/d operand_i = einsum(g, the other operands) into operand i's labels
        return tuple(self.gradient(i, g, operands) if self.needs[i] else None for i in range(len(operands)))

    def gradient(self, i, g, operands):
        own = self.terms[i]
        unique = "".join(dict.fromkeys(own))  # a repeated label (a diagonal) once
        others = [self.output] + [labels for j, labels in enumerate(self.terms) if j != i]
        found = "".join(label for label in unique if any(label in labels for labels in others))
        rest = [operand for j, operand in enumerate(operands) if j != i]
        grad = Einsum(others, found)(g, *rest)
        full = tuple(self.sizes[label] for label in unique)
        if found != unique or grad.shape != full:  # labels summed away (or broadcast from 1): copy back along them
            grad = broadcast_to(
                reshape(grad, tuple(grad.shape[found.index(c)] if c in found else 1 for c in unique)), full
            )
        if len(unique) != len(own):
            grad = _onto_diagonal(grad, unique, own, self.sizes)
        return grad


def _onto_diagonal(grad, unique, own, sizes):
    """Zeros in the shape of labels ``own`` with ``grad`` (labels ``unique``) where repeated labels agree."""
    index = tuple(
        np.arange(sizes[label]).reshape(
            [-1 if position == unique.index(label) else 1 for position in range(len(unique))]
        )
        for label in own
    )
    return scatter_add(grad, index, tuple(sizes[label] for label in own))


def einsum(subscripts: str, *operands: TensorLike) -> TensorOrArray:
    """The sum of products that ``subscripts`` describe, like ``np.einsum``: ``einsum("ij,jk->ik", a, b)``.

    Explicit (``->``) and implicit forms, repeated labels in one operand (``"ii->i"``,
    the trace ``"ii"``), ``...`` for broadcast axes, and any number of operands. Axes of
    length 1 broadcast, as in NumPy.
    """
    shapes = [to_array(x).shape for x in operands]
    terms, output = _parse(subscripts, shapes)
    return Einsum(terms, output)(*operands)


def _parse(subscripts, shapes):
    """The subscripts checked against the shapes, with ``...`` spelled out: (labels per operand, output labels)."""
    spec = subscripts.replace(" ", "")

    def fail(problem):
        return ValueError(f"einsum {subscripts!r} does not fit operands of shapes {shapes}: {problem}")

    terms, arrow, output = spec.partition("->")
    terms = terms.split(",")
    if len(terms) != len(shapes):
        raise fail(f"it has {len(terms)} operand terms for {len(shapes)} operands")
    for term in terms + [output]:
        if set(term.replace("...", "")) - set(string.ascii_letters) or term.count("...") > 1:
            raise fail(f"{term!r} may hold only letters and one '...'")
    terms, broadcast = _spell_out_ellipsis(spec, terms, shapes, fail)
    sizes = _label_sizes(terms, shapes, fail)
    if not arrow:  # implicit: the '...' axes, then every label used once, in alphabetical order
        every = "".join(terms)
        output = broadcast + "".join(sorted(c for c in set(every) if every.count(c) == 1 and c not in broadcast))
    elif "..." in output:
        output = output.replace("...", broadcast)
    elif broadcast:
        raise fail("the output needs '...' for the axes '...' stands for in the operands")
    if len(set(output)) != len(output) or set(output) - set(sizes):
        raise fail(f"output {output!r} repeats a label or uses one no operand has")
    return terms, output


def _spell_out_ellipsis(spec, terms, shapes, fail):
    """The terms with '...' replaced by unused letters (the same axes, right-aligned, in every operand)."""
    named = [len(term.replace("...", "")) for term in terms]
    for term, shape, count in zip(terms, shapes, named, strict=True):
        if len(shape) != count and ("..." not in term or len(shape) < count):
            raise fail(f"{term!r} labels {count} axes but its operand has {len(shape)}")
    covered = [len(shape) - count for shape, count in zip(shapes, named, strict=True)]  # axes '...' covers
    width = max((n for term, n in zip(terms, covered, strict=True) if "..." in term), default=0)
    spare = [letter for letter in string.ascii_letters if letter not in spec]
    if width > len(spare):
        raise fail(f"'...' covers {width} axes, more than there are unused letters")
    broadcast = "".join(spare[:width])
    return [term.replace("...", broadcast[width - n :]) for term, n in zip(terms, covered, strict=True)], broadcast


def _label_sizes(inputs, shapes, fail):
    """The length of each label over all operands; lengths must agree, except that 1 broadcasts."""
    sizes = {}
    for labels, shape in zip(inputs, shapes, strict=True):
        own = {}
        for label, n in zip(labels, shape, strict=True):
            if own.setdefault(label, n) != n:
                raise fail(f"label {label!r} repeats within {labels!r} with lengths {own[label]} and {n}")
            seen = sizes.get(label, 1)
            if n != seen and 1 not in (n, seen):
                raise fail(f"label {label!r} has length {seen} in one operand and {n} in another")
            sizes[label] = max(n, seen) if n and seen else 0
    return sizes
