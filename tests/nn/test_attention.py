"""scaled_dot_product_attention against softmax(Q Kᵀ · scale + mask) V written out in NumPy."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

rng = np.random.default_rng(5)


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention_reference(q, k, v, mask=None, scale=None):
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) * scale
    if mask is not None and mask.dtype == bool:
        scores = np.where(mask, scores, -np.inf)
    elif mask is not None:
        scores = scores + mask
    return np.matmul(softmax(scores), v)


def qkv(batch=(2,), length=3, source=4, e=5, ev=6):
    return (
        rng.standard_normal(batch + (length, e)),
        rng.standard_normal(batch + (source, e)),
        rng.standard_normal(batch + (source, ev)),
    )


def attend(q, k, v, **kwargs):
    return F.scaled_dot_product_attention(mg.tensor(q), mg.tensor(k), mg.tensor(v), **kwargs).data


def test_plain_attention_and_default_scale():
    q, k, v = qkv()
    np.testing.assert_allclose(attend(q, k, v), attention_reference(q, k, v), rtol=1e-10)


def test_explicit_scale():
    q, k, v = qkv()
    np.testing.assert_allclose(attend(q, k, v, scale=0.7), attention_reference(q, k, v, scale=0.7), rtol=1e-10)


def test_bool_mask_keeps_where_true():
    q, k, v = qkv()
    mask = rng.random((3, 4)) < 0.6
    mask[:, 0] = True  # every query sees something
    np.testing.assert_allclose(attend(q, k, v, attn_mask=mask), attention_reference(q, k, v, mask), rtol=1e-10)
    as_tensor = attend(q, k, v, attn_mask=mg.tensor(mask))
    np.testing.assert_allclose(as_tensor, attention_reference(q, k, v, mask), rtol=1e-10)


def test_float_mask_is_added_and_keeps_float32():
    q, k, v = qkv()
    bias = rng.standard_normal((2, 1, 4))  # broadcasts over the queries
    np.testing.assert_allclose(attend(q, k, v, attn_mask=bias), attention_reference(q, k, v, bias), rtol=1e-10)
    q32, k32, v32 = (a.astype(np.float32) for a in (q, k, v))
    assert attend(q32, k32, v32, attn_mask=bias).dtype == np.float32  # a float64 mask must not promote


def test_is_causal_is_a_lower_triangular_mask():
    q, k, v = qkv(length=4, source=4)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    np.testing.assert_allclose(attend(q, k, v, is_causal=True), attention_reference(q, k, v, causal), rtol=1e-10)
    first = attend(q, k, v, is_causal=True)[:, 0]  # the first query sees only the first value
    np.testing.assert_allclose(first, v[:, 0], rtol=1e-12)
    with pytest.raises(ValueError, match="attn_mask or is_causal"):
        attend(q, k, v, attn_mask=causal, is_causal=True)


def test_batch_axes_broadcast():
    q = rng.standard_normal((2, 3, 4, 5))  # (batch, heads, L, E)
    k = rng.standard_normal((1, 3, 6, 5))
    v = rng.standard_normal((2, 1, 6, 2))
    out = attend(q, k, v)
    assert out.shape == (2, 3, 4, 2)
    np.testing.assert_allclose(out, attention_reference(q, k, v), rtol=1e-10)
    unbatched = attend(q[0, 0], k[0, 0], v[0, 0])
    np.testing.assert_allclose(unbatched, out[0, 0], rtol=1e-10)


def test_a_fully_masked_row_gives_zeros_and_finite_gradients_like_pytorch():
    q, k, v = (mg.tensor(a, requires_grad=True) for a in qkv(batch=()))
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    np.testing.assert_array_equal(out.data[1], 0.0)
    rows = [0, 2]
    np.testing.assert_allclose(out.data[rows], attention_reference(q.data[rows], k.data, v.data, mask[rows]))
    out.sum().backward()
    assert all(np.isfinite(t.grad).all() for t in (q, k, v))


def test_dropout_uses_the_global_generator_through_f_dropout():
    q, k, v = qkv()
    mg.manual_seed(4)
    out = attend(q, k, v, dropout_p=0.4)
    mg.manual_seed(4)
    weights = F.dropout(mg.tensor(softmax(np.matmul(q, np.swapaxes(k, -1, -2)) / np.sqrt(5))), 0.4).data
    np.testing.assert_allclose(out, np.matmul(weights, v), rtol=1e-10)
    assert not np.allclose(out, attention_reference(q, k, v))
    mg.manual_seed(4)
    np.testing.assert_array_equal(attend(q, k, v, dropout_p=0.4), out)  # repeatable
    np.testing.assert_array_equal(attend(q, k, v, dropout_p=0.0), attend(q, k, v))


def test_dropout_keeps_the_expected_value():
    q, k, v = qkv(batch=(), length=2, source=3, e=4, ev=2)
    copies = 20000
    many = (np.broadcast_to(a, (copies,) + a.shape) for a in (q, k, v))
    mg.manual_seed(0)
    average = attend(*many, dropout_p=0.5).mean(axis=0)
    np.testing.assert_allclose(average, attention_reference(q, k, v), atol=0.03)


@pytest.mark.parametrize(
    "options",
    [{}, {"scale": 0.3}, {"is_causal": True}, {"attn_mask": "bool"}, {"attn_mask": "float"}],
    ids=["plain", "scale", "causal", "bool-mask", "float-mask"],
)
def test_attention_gradients_first_and_second_order(options):
    q, k, v = (mg.tensor(a, requires_grad=True) for a in qkv(batch=(2,), length=3, source=3, e=2, ev=2))
    if options.get("attn_mask") == "bool":
        options = {"attn_mask": np.array([[True, False, True], [True, True, False], [False, True, True]])}
    elif options.get("attn_mask") == "float":
        options = {"attn_mask": rng.standard_normal((3, 3))}

    def fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **options)

    assert mg.gradcheck(fn, (q, k, v))
    assert mg.gradgradcheck(fn, (q, k, v))


def test_a_learnt_float_mask_gets_a_gradient():
    q, k, v = (mg.tensor(a) for a in qkv(batch=(), length=2, source=3, e=2, ev=2))
    bias = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert mg.gradcheck(lambda b: F.scaled_dot_product_attention(q, k, v, attn_mask=b), (bias,))


def test_attention_shape_errors_name_the_shapes():
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"\(2, 3, 5\).*\(2, 4, 4\)"):
        attend(q, k[..., :4], v)
    with pytest.raises(ValueError, match=r"\(2, 4, 5\).*\(2, 3, 6\)"):
        attend(q, k, v[:, :3])
    with pytest.raises(ValueError, match="dropout_p"):
        attend(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="bool or float"):
        attend(q, k, v, attn_mask=np.ones((3, 4), dtype=np.int64))
