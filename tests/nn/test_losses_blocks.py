"""The cross-entropy kernels run over blocks of rows: the blocks cover every row once, and the
result does not depend on where the blocks end (each row is computed on its own).

A small forced block size makes several blocks run on small inputs: row counts 1, 255, 256,
257 and 1000 around a 256-row block, and 7-row blocks that leave a short last block.
"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import minigrad.ops.losses as loss_ops
from minigrad.ops.losses import cross_entropy_reference, row_blocks

CLASSES = 5
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0, 1.5])


def force_block_rows(monkeypatch, rows, dtype=np.float64):
    """Make the kernels take ``rows`` rows per block for CLASSES classes of this dtype."""
    monkeypatch.setattr(loss_ops, "BLOCK_BYTES", rows * CLASSES * np.dtype(dtype).itemsize)


@pytest.mark.parametrize("count", [0, 1, 6, 7, 8, 255, 256, 257, 1000])
@pytest.mark.parametrize("size", [1, 7, 256])
def test_row_blocks_cover_every_row_once_in_order(monkeypatch, count, size):
    force_block_rows(monkeypatch, size)
    blocks = row_blocks(count, CLASSES, 8)
    every_row = np.arange(count)
    assert [i for rows in blocks for i in every_row[rows]] == list(range(count))
    assert all(len(every_row[rows]) == size for rows in blocks[:-1])  # only the last may be short
    assert len(blocks) == -(-count // size)


def test_the_default_block_is_about_one_mebibyte_of_logits():
    assert loss_ops.BLOCK_BYTES == 2**20
    assert row_blocks(4096, 1000, 4)[0] == slice(0, 262)  # 262 float32 rows of 1000 classes: 1,048,000 bytes
    assert row_blocks(3, 10**7, 4) == [slice(0, 1), slice(1, 2), slice(2, 3)]  # a row bigger than a block


def make_problem(count, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((count, CLASSES)) * 3
    labels = rng.integers(0, CLASSES, count)
    labels[1::4] = -100  # some rows ignored (not the only row, when count is 1)
    return x, labels


def loss_and_gradient(x, labels, **options):
    logits = mg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, labels, **options)
    loss.backward(np.ones(loss.shape))
    return loss.data, logits.grad


OPTIONS = [{}, {"weight": WEIGHT, "label_smoothing": 0.2}, {"reduction": "none", "label_smoothing": 0.1}]


@pytest.mark.parametrize("count", [1, 255, 256, 257, 1000])
@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "weights-smoothing", "none"])
def test_blocks_of_256_rows_against_the_reference(monkeypatch, count, options):
    force_block_rows(monkeypatch, 256)
    x, labels = make_problem(count, seed=count)
    loss, grad = loss_and_gradient(x, labels, **options)
    logits = mg.tensor(x, requires_grad=True)
    expected = cross_entropy_reference(logits, labels, **options)
    expected.backward(np.ones(expected.shape))
    np.testing.assert_allclose(loss, expected.data, rtol=1e-12)
    np.testing.assert_allclose(grad, logits.grad, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("count", [1, 255, 256, 257, 1000])
@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "weights-smoothing", "none"])
def test_where_the_blocks_end_changes_nothing_but_rounding(monkeypatch, count, options):
    # (not bit for bit: NumPy's SIMD loops may round a row's last ulp differently by its place)
    x, labels = make_problem(count, seed=count + 1)
    results = []
    for rows in (1, 7, 256, 10**6):  # one row per block ... everything in one block
        force_block_rows(monkeypatch, rows)
        results.append(loss_and_gradient(x, labels, **options))
    for loss, grad in results[1:]:
        np.testing.assert_allclose(loss, results[0][0], rtol=1e-14)
        np.testing.assert_allclose(grad, results[0][1], rtol=1e-13, atol=1e-17)


@pytest.mark.parametrize("count", [1, 257])
def test_a_second_backward_remakes_the_exponentials_the_first_one_used_up(monkeypatch, count):
    # the forward hands exp(x − max) to the first backward, which writes the gradient over it;
    # a second backward (retain_graph) makes them again, block by block
    force_block_rows(monkeypatch, 7)
    x, labels = make_problem(count, seed=5)
    logits = mg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, labels, weight=WEIGHT, label_smoothing=0.2)
    loss.backward(retain_graph=True)
    first = logits.grad.copy()
    loss.backward()
    np.testing.assert_allclose(logits.grad, 2 * first, rtol=1e-13)
    reference = mg.tensor(x, requires_grad=True)
    cross_entropy_reference(reference, labels, weight=WEIGHT, label_smoothing=0.2).backward()
    np.testing.assert_allclose(first, reference.grad, rtol=1e-10, atol=1e-15)


def test_float32_logits_of_magnitude_1e4_across_blocks(monkeypatch):
    force_block_rows(monkeypatch, 3, np.float32)
    x = np.tile(np.array([[1e4, 0, -1e4, 5e3, -5e3]], np.float32), (8, 1))
    labels = np.array([0, 1, 2, 3, 4, 0, 2, 2])
    logits = mg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, labels, reduction="none")
    loss.backward(np.ones(8, np.float32))
    np.testing.assert_array_equal(loss.data, 1e4 - x[np.arange(8), labels])  # -log p_y = max − x_y exactly
    expected = np.zeros((8, CLASSES), np.float32)
    expected[:, 0] = 1
    expected[np.arange(8), labels] -= 1
    np.testing.assert_array_equal(logits.grad, expected)
