"""ModuleList and ModuleDict: registration, list and dict behaviour, parameters and state dicts."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


def names(module):
    return [name for name, _ in module.named_parameters()]


# ---------------------------------------------------------------------- ModuleList


def test_modulelist_registers_as_numbers_and_exposes_parameters():
    layers = nn.ModuleList([nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)])
    assert len(layers) == 3 and list(layers._modules) == ["0", "1", "2"]
    assert names(layers) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(layers.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [type(m).__name__ for m in layers] == ["Linear", "ReLU", "Linear"]


def test_modulelist_inside_a_model_is_walked():
    class Tower(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = Tower()
    assert names(model)[:2] == ["blocks.0.weight", "blocks.0.bias"] and len(names(model)) == 6
    x = mg.tensor(np.ones((1, 2), dtype=np.float32))
    expected = x.data
    for block in model.blocks:
        expected = expected @ block.weight.data.T + block.bias.data
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)


def test_modulelist_append_extend_insert_and_indexing():
    a, b, c, d = nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()
    layers = nn.ModuleList()
    assert layers.append(a) is layers
    layers.extend([b, c])
    layers.insert(1, d)
    assert list(layers) == [a, d, b, c] and list(layers._modules) == ["0", "1", "2", "3"]
    assert layers[0] is a and layers[-1] is c and layers[np.int64(2)] is b
    assert getattr(layers, "1") is d  # the renumbered attributes follow
    layers.insert(-1, nn.ReLU())
    assert [type(m).__name__ for m in layers] == ["ReLU", "Identity", "Tanh", "ReLU", "Sigmoid"]
    layers.insert(100, a)
    assert layers[5] is a
    sliced = layers[1:3]
    assert isinstance(sliced, nn.ModuleList) and list(sliced) == [d, b]
    layers[0] = c
    assert layers[0] is c and len(layers) == 6
    del layers[0]
    assert list(layers._modules) == [str(i) for i in range(5)] and layers[0] is d
    assert not hasattr(layers, "5")
    layers += [nn.ReLU()]
    assert len(layers) == 6


def test_modulelist_errors():
    layers = nn.ModuleList([nn.ReLU()])
    with pytest.raises(IndexError, match="index 1 is out of range for a ModuleList of length 1"):
        layers[1]
    with pytest.raises(IndexError, match="-2"):
        layers[-2] = nn.ReLU()
    with pytest.raises(TypeError, match="int at position 1"):
        layers.extend([nn.ReLU(), 3])
    assert len(layers) == 1  # nothing half-added
    with pytest.raises(TypeError, match="str"):
        layers.append("relu")
    with pytest.raises(TypeError, match="ints or slices"):
        layers["0"]


def test_modulelist_repr():
    assert repr(nn.ModuleList([nn.ReLU(), nn.Tanh()])) == "ModuleList(\n  (0): ReLU()\n  (1): Tanh()\n)"


# ---------------------------------------------------------------------- ModuleDict


def test_moduledict_behaves_like_a_dict():
    relu, tanh, linear = nn.ReLU(), nn.Tanh(), nn.Linear(2, 2)
    heads = nn.ModuleDict({"relu": relu, "tanh": tanh})
    assert list(heads) == ["relu", "tanh"] and list(heads.keys()) == ["relu", "tanh"]
    assert list(heads.values()) == [relu, tanh] and list(heads.items()) == [("relu", relu), ("tanh", tanh)]
    assert heads["tanh"] is tanh and "relu" in heads and "other" not in heads and len(heads) == 2
    heads["out"] = linear
    assert names(heads) == ["out.weight", "out.bias"] and heads.out is linear
    heads.update([("relu", nn.Sigmoid()), ("extra", nn.Identity())])
    assert list(heads) == ["relu", "tanh", "out", "extra"] and isinstance(heads["relu"], nn.Sigmoid)
    assert heads.pop("tanh") is tanh and "tanh" not in heads and not hasattr(heads, "tanh")
    del heads["extra"]
    assert list(heads) == ["relu", "out"]
    heads.clear()
    assert len(heads) == 0 and list(heads.parameters()) == []


def test_moduledict_errors_leave_it_unchanged():
    heads = nn.ModuleDict({"a": nn.ReLU()})
    with pytest.raises(KeyError, match="'b'.*\\['a'\\]"):
        heads["b"]
    with pytest.raises(TypeError, match="int for key 'c'"):
        heads.update({"b": nn.ReLU(), "c": 3})
    with pytest.raises(KeyError, match="'x.y'"):
        heads.update({"b": nn.ReLU(), "x.y": nn.ReLU()})
    with pytest.raises(KeyError, match="'keys' clashes"):
        heads["keys"] = nn.ReLU()
    assert list(heads) == ["a"]
    with pytest.raises(KeyError):
        heads.pop("missing")


def test_moduledict_state_dict_round_trip():
    mg.manual_seed(0)
    source = nn.ModuleDict({"enc": nn.Linear(3, 2), "dec": nn.Linear(2, 3)})
    mg.manual_seed(1)
    target = nn.ModuleDict({"enc": nn.Linear(3, 2), "dec": nn.Linear(2, 3)})
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target["dec"].weight.data, source["dec"].weight.data)
    assert list(source.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
