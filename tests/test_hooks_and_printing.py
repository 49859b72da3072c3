"""Tensor hooks (register_hook, retain_grad), PyTorch-like printing, and the PyTorch spellings."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


def test_retain_grad_keeps_an_intermediate_gradient_equal_to_finite_differences():
    x = mg.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    h = x * x
    h.retain_grad()
    loss = (h.sin() * 3).sum()
    loss.backward()
    np.testing.assert_allclose(h.grad, 3 * np.cos(h.data))  # d loss / d h, written out
    eps = 1e-6  # and against a finite difference through h
    numeric = [(3 * np.sin(h.data + eps * e) - 3 * np.sin(h.data - eps * e)).sum() / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(h.grad, numeric, rtol=1e-6)


def test_hooks_run_in_order_can_replace_the_gradient_and_are_removed():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    calls = []
    first = y.register_hook(lambda g: calls.append(("first", g.tolist())))
    y.register_hook(lambda g: g * 10)
    y.register_hook(lambda g: calls.append(("third", g.tolist())))
    y.sum().backward()
    assert calls == [("first", [1.0, 1.0]), ("third", [10.0, 10.0])]
    assert x.grad.tolist() == [30.0, 30.0]
    first.remove()
    first.remove()  # twice is fine
    calls.clear()
    x.grad = None
    (x * 3).sum().backward()  # a new graph: no hooks
    assert calls == [] and x.grad.tolist() == [3.0, 3.0]


def test_a_leaf_hook_sees_the_total_before_accumulation():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(seen.append)
    (x * 2 + x).sum().backward()
    assert [g.tolist() for g in seen] == [[3.0, 3.0]] and x.grad.tolist() == [3.0, 3.0]


def test_register_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).register_hook(print)


def test_repr_like_pytorch():
    assert repr(mg.tensor([1.0, 2.5])) == "tensor([1.0000, 2.5000])"
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(mg.tensor(np.array([0.5]), requires_grad=True)) == "tensor([0.5000], dtype=float64, requires_grad=True)"
    x = mg.tensor([0.7318033], requires_grad=True)
    assert repr((x * 1).sum()) == "tensor(0.7318, grad_fn=<Sum>)"


def test_format_on_one_element_tensors():
    loss = mg.tensor(0.731803)
    assert f"{loss:.3f}" == "0.732" and f"{loss}" == repr(loss)
    with pytest.raises(TypeError, match="one-element"):
        format(mg.tensor([1.0, 2.0]), ".2f")


def test_numel_and_pytorch_spellings_equal_their_twins():
    t = mg.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert t.numel() == 24
    assert t.view(4, 6).tolist() == t.reshape(4, 6).tolist() and t.view_as(t.reshape(6, 4)).shape == (6, 4)
    assert t.unsqueeze(1).shape == (2, 1, 3, 4) and t.permute(2, 0, 1).shape == (4, 2, 3)
    assert t[0].t().shape == (4, 3) and t.pow(2).tolist() == (t**2).tolist()
    assert t.clamp(min=3, max=5).tolist() == t.clip(3, 5).tolist()
    assert t.flatten(1).shape == (2, 12) and mg.flatten(t, 0, 1).shape == (6, 4) and t.flatten().shape == (24,)
    assert t.eq(t).data.all() and not t.ne(t).data.any() and t.lt(t + 1).data.all() and t.ge(t).data.all()
    assert t.long().dtype == np.int64 and t.int().dtype == np.int32 and t.bool().dtype == np.bool_
    assert t.float().dtype == np.float32 and t.double().dtype == np.float64
    assert mg.cat([t, t]).shape == (4, 3, 4) and mg.long is np.int64 and mg.double is np.float64
    assert t.sum(dim=1, keepdim=True).tolist() == t.sum(axis=1, keepdims=True).tolist()
    assert t.mean(dim=-1).tolist() == t.mean(axis=-1).tolist() and t.var(dim=0).tolist() == t.var(axis=0).tolist()
    with pytest.raises(ValueError, match="at most 2"):
        t.t()


def test_to_cpu_dtype_and_other_devices():
    t = mg.tensor([1.0, 2.0])
    assert t.to("cpu") is t and t.to(mg.device("cpu")) is t and t.to(mg.float64).dtype == np.float64
    for device in ("cuda", "cuda:0", "mps"):
        with pytest.raises(ValueError, match="CPU"):
            t.to(device)
        with pytest.raises(ValueError, match="CPU"):
            mg.device(device)
    model = nn.Linear(2, 1)
    assert model.to("cpu") is model and model.to(mg.float64).weight.dtype == np.float64
    with pytest.raises(ValueError, match="CPU"):
        model.to("cuda")
