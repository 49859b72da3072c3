"""Scaled dot-product attention, composed from matmul, softmax and dropout.

    attention(Q, K, V) = softmax(Q Kᵀ · scale + mask) V,    scale = 1 / sqrt(E) by default

with Q of shape (..., L, E), K (..., S, E) and V (..., S, Ev); the leading (batch,
head) axes broadcast like ``np.matmul``'s. The gradients come from the ops'.
"""

import math

import numpy as np

from .. import ops
from ..tensor import Tensor, to_array


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(query @ keyᵀ * scale + mask) @ value, PyTorch's ``F.scaled_dot_product_attention``.

    ``attn_mask`` broadcasts to (..., L, S): a bool mask keeps the positions where it is
    True (the others get -inf before the softmax); a float mask is added to the scores.
    ``is_causal=True`` lets position i attend to positions j <= i only (a lower
    triangular mask; giving ``attn_mask`` as well is an error). A query row that is masked
    everywhere gets the output 0 (PyTorch's safe softmax), not NaN. ``dropout_p`` drops
    attention weights with minigrad's global generator (always, like PyTorch's
    function: pass 0.0 in eval). ``scale`` defaults to 1 / sqrt(E).
    """
    q_shape, k_shape, v_shape = (tuple(np.shape(to_array(t))) for t in (query, key, value))
    if len(q_shape) < 2 or len(k_shape) < 2 or len(v_shape) < 2:
        raise ValueError(
            f"attention needs query (..., L, E), key (..., S, E) and value (..., S, Ev), "
            f"got shapes {q_shape}, {k_shape} and {v_shape}"
        )
    if q_shape[-1] != k_shape[-1]:
        raise ValueError(f"attention: query {q_shape} and key {k_shape} must have the same last axis E")
    if k_shape[-2] != v_shape[-2]:
        raise ValueError(f"attention: key {k_shape} and value {v_shape} must have the same length S (axis -2)")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"attention dropout_p must be in [0, 1], got {dropout_p}")
    length, source_length = q_shape[-2], k_shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q_shape[-1])
    scores = ops.matmul(query, ops.swapaxes(key, -1, -2)) * scale
    if is_causal:
        if attn_mask is not None:
            raise ValueError("attention: give either attn_mask or is_causal=True, not both")
        attn_mask = np.tril(np.ones((length, source_length), dtype=bool))
    if attn_mask is not None:
        scores = scores + _mask_bias(attn_mask, scores.dtype)
        nothing_to_attend = np.isneginf(to_array(scores)).all(axis=-1, keepdims=True)
    if attn_mask is not None and nothing_to_attend.any():
        # Like PyTorch's safe softmax: a fully masked row gets weights 0, not NaN. Its
        # scores are made finite first so that no NaN reaches the gradients either.
        weights = ops.where(nothing_to_attend, 0.0, ops.softmax(ops.where(nothing_to_attend, 0.0, scores), axis=-1))
    else:
        weights = ops.softmax(scores, axis=-1)
    if dropout_p > 0.0:
        from .functional import dropout  # here, not at the top: functional imports this module

        weights = dropout(weights, dropout_p, training=True)
    return ops.matmul(weights, value)


def _mask_bias(attn_mask, dtype):
    """What is added to the scores: 0 / -inf for a bool mask, a float mask as it is."""
    if isinstance(attn_mask, Tensor) and attn_mask.dtype.kind == "f":
        return attn_mask  # a Tensor: it may be learnt (a relative position bias)
    mask = to_array(attn_mask)
    if mask.dtype == bool:
        return np.where(mask, 0.0, -np.inf).astype(dtype)
    if mask.dtype.kind != "f":
        raise TypeError(f"attention attn_mask must be bool or float, got dtype {mask.dtype}")
    return mask.astype(dtype, copy=False)  # a float64 array must not promote float32 scores
