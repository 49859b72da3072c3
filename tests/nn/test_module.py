"""Module and Parameter: registration, walks, modes, state dicts, repr."""

from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn.layers import Dropout, Linear, ReLU, Sequential, Softmax
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter


class TwoLayer(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(2, 3)
        self.act = ReLU()
        self.fc2 = Linear(3, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Outer(Module):
    def __init__(self):
        super().__init__()
        self.body = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))
        self.head = TwoLayer()
        self.scale = Parameter(np.ones(2, dtype=np.float32))

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


def snapshot(module):
    return {name: param.data.copy() for name, param in module.named_parameters()}


def assert_unchanged(module, before):
    after = snapshot(module)
    assert list(after) == list(before)
    for name in before:
        assert after[name].dtype == before[name].dtype
        np.testing.assert_array_equal(after[name], before[name])


# ------------------------------------------------------------------------ Parameter


def test_parameter_requires_grad_and_is_a_tensor():
    p = Parameter(np.zeros((2, 3), dtype=np.float32))
    assert isinstance(p, mg.Tensor)
    assert p.requires_grad and p.is_leaf
    assert p.shape == (2, 3) and p.dtype == np.float32


def test_parameter_keeps_float64_and_converts_lists_and_ints():
    assert Parameter(np.zeros(2, dtype=np.float64)).dtype == np.float64
    assert Parameter([1.0, 2.0]).dtype == np.float32
    from_ints = Parameter(np.array([1, 2, 3]))
    assert from_ints.dtype == np.float32 and from_ints.requires_grad
    np.testing.assert_array_equal(from_ints.data, [1.0, 2.0, 3.0])


def test_parameter_from_tensor_takes_its_data_not_its_graph():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    p = Parameter(b)
    assert p.is_leaf and p.requires_grad
    np.testing.assert_array_equal(p.data, [2.0, 4.0])


def test_parameter_repr_says_parameter():
    assert repr(Parameter([1.0])).startswith("Parameter containing:")


# --------------------------------------------------------------------- registration


def test_parameters_and_modules_register_in_assignment_order():
    net = TwoLayer()
    assert list(net._modules) == ["fc1", "act", "fc2"]
    assert [name for name, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [p.shape for p in net.parameters()] == [(3, 2), (3,), (1, 3), (1,)]


def test_nested_dotted_names_own_parameters_first_like_pytorch():
    names = [name for name, _ in Outer().named_parameters()]
    assert names == [
        "scale",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
        "head.fc1.weight",
        "head.fc1.bias",
        "head.fc2.weight",
        "head.fc2.bias",
    ]


def test_named_parameters_yield_the_registered_objects():
    net = TwoLayer()
    params = dict(net.named_parameters())
    assert params["fc1.weight"] is net.fc1.weight
    assert params["fc2.bias"] is net.fc2.bias


def test_reassigning_a_registered_name_keeps_its_place():
    net = TwoLayer()
    net.act = Dropout()
    net.fc1.weight = Parameter(np.zeros((3, 2)))
    assert list(net._modules) == ["fc1", "act", "fc2"]
    assert list(net.fc1._parameters) == ["weight", "bias"]


def test_reassigning_to_a_non_parameter_unregisters():
    net = TwoLayer()
    net.fc1.bias = None
    assert net.fc1.bias is None
    assert "fc1.bias" not in dict(net.named_parameters())
    net.act = "not a module"
    assert "act" not in net._modules and net.act == "not a module"
    net.act = ReLU()
    assert list(net._modules) == ["fc1", "fc2", "act"]


def test_reassigning_a_plain_attribute_to_a_parameter_registers_it():
    m = Module()
    m.w = 3
    m.w = Parameter([1.0])
    assert [name for name, _ in m.named_parameters()] == ["w"]
    assert isinstance(m.w, Parameter)


def test_delattr_unregisters_and_missing_attribute_names_class():
    net = TwoLayer()
    del net.fc2
    assert "fc2" not in net._modules
    with pytest.raises(AttributeError, match="TwoLayer.*fc2"):
        net.fc2
    del net.fc1.weight
    assert [name for name, _ in net.named_parameters()] == ["fc1.bias"]


def test_assigning_a_parameter_before_init_explains_the_fix():
    class Forgetful(Module):
        def __init__(self):
            self.w = Parameter([1.0])

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Forgetful()


def test_plain_tensors_are_not_parameters():
    m = Module()
    m.t = mg.tensor([1.0], requires_grad=True)
    assert list(m.parameters()) == []


def test_shared_parameters_and_modules_are_counted_once():
    layer = Linear(2, 2)
    seq = Sequential(layer, ReLU(), layer)
    assert len(list(seq.parameters())) == 2
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.modules())) == 3  # seq, layer, relu
    assert [name for name, _ in seq.named_modules()] == ["", "0", "1"]


def test_tied_weights_across_modules_counted_once():
    a, b = Linear(3, 3), Linear(3, 3)
    b.weight = a.weight
    seq = Sequential(a, b)
    assert len(list(seq.parameters())) == 3
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_children_and_modules():
    outer = Outer()
    assert [name for name, _ in outer.named_children()] == ["body", "head"]
    assert list(outer.children()) == [outer.body, outer.head]
    names = [name for name, _ in outer.named_modules()]
    assert names == ["", "body", "body.0", "body.1", "body.2", "head", "head.fc1", "head.act", "head.fc2"]
    assert next(iter(outer.modules())) is outer


def test_add_module_and_register_parameter_check_their_arguments():
    m = Module()
    m.add_module("0", ReLU())
    m.register_parameter("w", Parameter([1.0]))
    assert list(m._modules) == ["0"] and list(m._parameters) == ["w"]
    with pytest.raises(KeyError, match="'a.b'"):
        m.add_module("a.b", ReLU())
    with pytest.raises(TypeError, match="ndarray"):
        m.register_parameter("x", np.zeros(2))
    with pytest.raises(TypeError, match="int"):
        m.add_module("r", 3)


# ----------------------------------------------------------------- modes and grads


def test_train_and_eval_propagate_and_return_self():
    outer = Outer()
    assert all(m.training for m in outer.modules())
    assert outer.eval() is outer
    assert not any(m.training for m in outer.modules())
    assert outer.train() is outer
    assert all(m.training for m in outer.modules())
    outer.train(False)
    assert not outer.body[1].training
    with pytest.raises(ValueError, match="True or False"):
        outer.train("yes")


def test_zero_grad_sets_every_grad_to_none():
    net = TwoLayer()
    net(mg.tensor(np.ones((4, 2), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_runs_forward_with_all_arguments():
    class AddScaled(Module):
        def forward(self, x, y, scale=1.0):
            return (x + y) * scale

    assert AddScaled()(1.0, 2.0, scale=3.0) == 9.0


def test_missing_forward_names_the_class():
    class NoForward(Module):
        pass

    with pytest.raises(NotImplementedError, match="NoForward"):
        NoForward()(1.0)


# ------------------------------------------------------------------------ state dict


def test_state_dict_is_an_ordered_dict_of_copies():
    net = TwoLayer()
    state = net.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == [name for name, _ in net.named_parameters()]
    for name, param in net.named_parameters():
        assert isinstance(state[name], np.ndarray)
        assert not np.shares_memory(state[name], param.data)
        np.testing.assert_array_equal(state[name], param.data)
    before = net.fc1.weight.data.copy()
    state["fc1.weight"] += 100.0
    np.testing.assert_array_equal(net.fc1.weight.data, before)


def test_state_dict_lists_a_shared_parameter_under_every_name():
    layer = Linear(2, 2)
    assert list(Sequential(layer, layer).state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_load_state_dict_round_trip_copies_and_keeps_dtype():
    mg.manual_seed(0)
    source, target = Outer(), Outer()
    state = source.state_dict()
    state64 = {name: value.astype(np.float64) for name, value in state.items()}
    result = target.load_state_dict(state64)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for name, param in target.named_parameters():
        assert param.dtype == np.float32
        np.testing.assert_array_equal(param.data, state[name])
        assert not np.shares_memory(param.data, state64[name])
    state64["scale"] += 1.0
    np.testing.assert_array_equal(target.scale.data, state["scale"])


def test_load_state_dict_writes_into_the_existing_arrays():
    net = TwoLayer()
    weight, array = net.fc1.weight, net.fc1.weight.data
    net.load_state_dict({name: np.zeros_like(v) for name, v in net.state_dict().items()})
    assert net.fc1.weight is weight and net.fc1.weight.data is array
    assert not array.any()


def test_load_state_dict_accepts_tensors_and_nested_lists():
    net = Linear(2, 1)
    net.load_state_dict({"weight": [[1.0, 2.0]], "bias": mg.tensor([3.0])})
    np.testing.assert_array_equal(net.weight.data, [[1.0, 2.0]])
    np.testing.assert_array_equal(net.bias.data, [3.0])


@pytest.mark.parametrize(
    "change, fragments",
    [
        (lambda s: s.pop("head.fc2.bias"), ["Missing key", "'head.fc2.bias'"]),
        (lambda s: s.update(extra=np.zeros(1)), ["Unexpected key", "'extra'"]),
        (
            lambda s: (s.pop("scale"), s.update(bogus=np.zeros(1))),
            ["Missing key", "'scale'", "Unexpected key", "'bogus'"],
        ),
        (lambda s: s.update({"head.fc2.weight": np.zeros((3, 1))}), ["head.fc2.weight", "(3, 1)", "(1, 3)"]),
        (lambda s: s.update({"head.fc2.bias": "text"}), ["head.fc2.bias", "str"]),
        (lambda s: s.update({"head.fc2.bias": None}), ["head.fc2.bias", "NoneType"]),
        (lambda s: s.update({"head.fc2.bias": [[1.0], [2.0, 3.0]]}), ["head.fc2.bias", "list"]),
    ],
    ids=["missing", "unexpected", "missing-and-unexpected", "shape", "string", "none", "ragged"],
)
def test_load_state_dict_errors_leave_the_module_unchanged(change, fragments):
    mg.manual_seed(1)
    model = Outer()
    before = snapshot(model)
    mg.manual_seed(2)
    state = Outer().state_dict()  # different values, so a partial write would show
    change(state)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert_unchanged(model, before)


def test_load_state_dict_reports_every_problem_at_once():
    model = TwoLayer()
    state = model.state_dict()
    state.pop("fc1.bias")
    state["fc2.weight"] = np.zeros((2, 2))
    state["other"] = np.zeros(1)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "'fc1.bias'" in message and "'other'" in message and "fc2.weight" in message


def test_load_state_dict_non_strict_loads_what_matches():
    mg.manual_seed(3)
    model = TwoLayer()
    state = {"fc1.weight": np.full((3, 2), 7.0), "extra.weight": np.zeros(2)}
    fc2_before = model.fc2.weight.data.copy()
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc1.bias", "fc2.weight", "fc2.bias"]
    assert result.unexpected_keys == ["extra.weight"]
    assert (model.fc1.weight.data == 7.0).all()
    np.testing.assert_array_equal(model.fc2.weight.data, fc2_before)


def test_load_state_dict_non_strict_still_rejects_shape_mismatch():
    model = TwoLayer()
    before = snapshot(model)
    state = {"fc1.weight": np.zeros((3, 2)), "fc2.weight": np.zeros((3, 1))}
    with pytest.raises(RuntimeError, match="fc2.weight"):
        model.load_state_dict(state, strict=False)
    assert_unchanged(model, before)


def test_load_state_dict_rejects_a_non_mapping():
    with pytest.raises(TypeError, match="list"):
        Linear(1, 1).load_state_dict([np.zeros((1, 1)), np.zeros(1)])


# ----------------------------------------------------------------------------- repr


def test_sequential_repr_matches_pytorch_layout():
    seq = Sequential(Linear(2, 3), ReLU())
    assert repr(seq) == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)")


def test_nested_repr_indents_each_level():
    outer = Outer()
    outer.head.act = Dropout(0.25)
    assert repr(outer) == (
        "Outer(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Linear(in_features=3, out_features=2, bias=True)\n"
        "  )\n"
        "  (head): TwoLayer(\n"
        "    (fc1): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (act): Dropout(p=0.25)\n"
        "    (fc2): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


def test_leaf_reprs_show_their_settings():
    assert repr(Linear(4, 2, bias=False)) == "Linear(in_features=4, out_features=2, bias=False)"
    assert repr(Softmax()) == "Softmax(axis=-1)"
    assert repr(Module()) == "Module()"


def test_state_dict_round_trips_through_save_and_load(tmp_path):
    mg.manual_seed(6)
    source = Outer()
    source.temperature = Parameter(np.float32(1.5))  # 0-d: mg.load gives back a number
    path = tmp_path / "model.npz"
    mg.save(source.state_dict(), path)
    mg.manual_seed(7)
    target = Outer()
    target.temperature = Parameter(np.float32(0.0))
    target.load_state_dict(mg.load(path))
    for (name, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        assert a.dtype == b.dtype and a.shape == b.shape, name
        np.testing.assert_array_equal(a.data, b.data)


def test_registered_values_are_plain_attributes_kept_in_step_with_the_dicts():
    import copy

    layer = Linear(3, 2)
    assert vars(layer)["weight"] is layer._parameters["weight"]  # found without __getattr__
    layer.weight = Parameter(np.ones((2, 3), dtype=np.float32))
    assert layer.weight is layer._parameters["weight"] and list(layer._parameters) == ["weight", "bias"]
    layer.bias = None  # a plain value under a registered name unregisters it
    assert "bias" not in layer._parameters and layer.bias is None
    layer._parameters["extra"] = Parameter(np.zeros(1, dtype=np.float32))  # put in the dict directly
    assert layer.extra is layer._parameters["extra"]
    del layer.extra
    assert "extra" not in layer._parameters and not hasattr(layer, "extra")
    model = Sequential(Linear(2, 2), ReLU())
    twin = copy.deepcopy(model)
    assert twin[0].weight is twin._modules["0"]._parameters["weight"]
    assert twin[0].weight is not model[0].weight
    assert sorted(set(dir(layer))) == dir(layer) and "weight" in dir(layer)
