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
        _ = net.fc2
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
    for (name, a), (_, b) in zip(source.named_parameters(), target.named_parameters(), strict=True):
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


# -------------------------------------------------------------------------- buffers


class WithBuffers(Module):
    def __init__(self):
        super().__init__()
        self.fc = Linear(2, 2)
        self.register_buffer("count", np.array(0, dtype=np.int64))
        self.register_buffer("table", np.arange(3.0, dtype=np.float32))
        self.register_buffer("scratch", np.zeros(2, dtype=np.float32), persistent=False)
        self.register_buffer("unset", None)


def test_buffers_read_as_attributes_and_are_not_parameters():
    m = WithBuffers()
    assert m.table is m._buffers["table"] and vars(m)["table"] is m.table
    assert m.unset is None
    assert [name for name, _ in m.named_parameters()] == ["fc.weight", "fc.bias"]
    assert [name for name, _ in m.named_buffers()] == ["count", "table", "scratch"]  # None skipped
    assert [b is m.table for b in m.buffers()] == [False, True, False]
    assert all(not isinstance(b, mg.Tensor) for b in m.buffers())


def test_state_dict_holds_persistent_buffers_under_dotted_names_in_pytorch_order():
    outer = Sequential(WithBuffers(), ReLU())
    assert list(outer.state_dict()) == ["0.count", "0.table", "0.fc.weight", "0.fc.bias"]
    state = outer.state_dict()
    np.testing.assert_array_equal(state["0.table"], [0.0, 1.0, 2.0])
    assert not np.shares_memory(state["0.table"], outer[0].table)
    assert [name for name, _ in outer.named_buffers()] == ["0.count", "0.table", "0.scratch"]


def test_assigning_to_a_buffer_name_updates_the_buffer():
    m = WithBuffers()
    new = np.ones(3, dtype=np.float32)
    m.table = new
    assert m._buffers["table"] is new and m.table is new
    np.testing.assert_array_equal(m.state_dict()["table"], 1.0)
    m.unset = np.zeros(1)
    assert "unset" in m.state_dict()
    m.table = None
    assert "table" in m._buffers and "table" not in m.state_dict()
    with pytest.raises(TypeError, match="buffer 'count' must be an ndarray or None, got Tensor.*use .data"):
        m.count = mg.tensor(1)
    with pytest.raises(TypeError, match="got int"):
        m.count = 3
    assert m.count.shape == ()
    del m.count
    assert "count" not in m._buffers and not hasattr(m, "count")


def test_register_buffer_checks_name_and_value():
    m = WithBuffers()
    with pytest.raises(KeyError, match="'fc' already exists"):
        m.register_buffer("fc", np.zeros(1))
    m.plain = 3
    with pytest.raises(KeyError, match="'plain' already exists"):
        m.register_buffer("plain", np.zeros(1))
    with pytest.raises(KeyError, match="'a.b'"):
        m.register_buffer("a.b", np.zeros(1))
    with pytest.raises(TypeError, match="list"):
        m.register_buffer("listy", [1.0])
    m.register_buffer("table", np.zeros(5))  # re-registering a buffer replaces it
    assert m.table.shape == (5,)


def test_load_state_dict_writes_buffers_in_place():
    source, target = WithBuffers(), WithBuffers()
    source.count[...] = 7
    source.table[...] = [5.0, 6.0, 7.0]
    table = target.table
    target.load_state_dict(source.state_dict())
    assert target.table is table
    np.testing.assert_array_equal(target.table, [5.0, 6.0, 7.0])
    assert int(target.count) == 7 and target.count.dtype == np.int64


def test_load_state_dict_with_a_wrong_buffer_shape_changes_nothing():
    mg.manual_seed(0)
    source = WithBuffers()
    source.table[...] = 9.0
    mg.manual_seed(1)
    target = WithBuffers()
    before = snapshot(target)
    state = source.state_dict()
    state["table"] = np.zeros(4, dtype=np.float32)
    with pytest.raises(RuntimeError, match=r"table.*\(4,\).*\(3,\)"):
        target.load_state_dict(state)
    assert_unchanged(target, before)  # fc came before table in the check, and was not written either
    np.testing.assert_array_equal(target.table, [0.0, 1.0, 2.0])
    state.pop("table")
    with pytest.raises(RuntimeError, match="Missing key.*'table'"):
        target.load_state_dict(state)


def test_non_persistent_buffers_are_not_loaded_or_expected():
    m = WithBuffers()
    state = m.state_dict()
    assert "scratch" not in state
    state["scratch"] = np.ones(2)
    with pytest.raises(RuntimeError, match="Unexpected key.*'scratch'"):
        m.load_state_dict(state)


# ---------------------------------------------------------------------- apply and to


def test_apply_visits_children_first_then_self_and_returns_self():
    outer = Outer()
    visited = []
    assert outer.apply(lambda m: visited.append(m)) is outer
    order = [type(m).__name__ for m in visited]
    assert order == ["Linear", "ReLU", "Linear", "Sequential", "Linear", "ReLU", "Linear", "TwoLayer", "Outer"]


def test_apply_for_initialisation():
    def init(module):
        if isinstance(module, Linear):
            module.weight.data[...] = 0.5

    model = Outer().apply(init)
    assert all((m.weight.data == 0.5).all() for m in model.modules() if isinstance(m, Linear))


def test_to_dtype_casts_in_place_so_an_optimizer_built_before_still_works():
    mg.manual_seed(2)
    model = TwoLayer()
    params = list(model.parameters())
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1)
    model(mg.tensor(np.ones((1, 2), dtype=np.float32))).sum().backward()
    assert model.to(mg.float64) is model
    assert [p is q for p, q in zip(params, model.parameters(), strict=True)] == [True] * 4
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    before = model.fc2.bias.data.copy()
    optimizer.step()
    np.testing.assert_allclose(model.fc2.bias.data, before - 0.1 * 1.0)  # d out / d bias = 1
    out = model(mg.tensor(np.ones((1, 2))))
    assert out.dtype == np.float64
    model.to(np.dtype(np.float32))
    assert all(p.dtype == np.float32 for p in params)


def test_to_cpu_returns_the_module_and_other_devices_raise():
    class Device:
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return self.name

    model = TwoLayer()
    assert model.to("cpu") is model and model.to(Device("cpu")) is model and model.to(device="cpu") is model
    with pytest.raises(ValueError, match="minigrad runs on the CPU only; got device 'cuda'"):
        model.to("cuda")
    with pytest.raises(ValueError, match="'cuda:0'"):
        model.to(Device("cuda:0"))
    with pytest.raises(ValueError, match="'mps'"):
        model.to(device="mps", dtype=mg.float64)
    assert model.fc1.weight.dtype == np.float32  # nothing cast before the device error
    with pytest.raises(TypeError, match="floating dtype only, got int64"):
        model.to(np.int64)


# -------------------------------------------------------------------- forward hooks


def test_forward_hooks_run_in_order_with_module_inputs_and_output():
    layer = Linear(2, 1)
    calls = []
    first = layer.register_forward_hook(lambda m, inputs, out: calls.append(("first", m, inputs, out)))
    layer.register_forward_hook(lambda m, inputs, out: calls.append(("second", m, inputs, out)))
    x = mg.tensor(np.ones((3, 2), dtype=np.float32))
    out = layer(x)
    assert [c[0] for c in calls] == ["first", "second"]
    assert all(c[1] is layer and c[2] == (x,) and isinstance(c[2], tuple) and c[3] is out for c in calls)
    first.remove()
    first.remove()  # idempotent
    calls.clear()
    layer(x)
    assert [c[0] for c in calls] == ["second"]


def test_a_forward_hook_can_replace_the_output():
    layer = ReLU()
    double = layer.register_forward_hook(lambda m, inputs, out: out * 2)
    layer.register_forward_hook(lambda m, inputs, out: None)  # None keeps what it got
    seen = []
    layer.register_forward_hook(lambda m, inputs, out: seen.append(out.data.copy()))
    out = layer(mg.tensor([-1.0, 3.0]))
    np.testing.assert_array_equal(out.data, [0.0, 6.0])
    np.testing.assert_array_equal(seen[0], [0.0, 6.0])  # later hooks see the replacement
    double.remove()
    np.testing.assert_array_equal(layer(mg.tensor([-1.0, 3.0])).data, [0.0, 3.0])


def test_forward_hooks_on_submodules_see_intermediate_outputs():
    model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    shapes = {}

    def record(name):
        def hook(module, inputs, output):
            shapes[name] = output.shape  # returns None: the output stays

        return hook

    handles = [module.register_forward_hook(record(name)) for name, module in model.named_children()]
    model(mg.tensor(np.ones((4, 2), dtype=np.float32)))
    assert shapes == {"0": (4, 3), "1": (4, 3), "2": (4, 1)}
    for handle in handles:
        handle.remove()
    assert all(not m._forward_hooks for m in model.modules())


def test_removable_handle_is_a_context_manager_and_rejects_non_callables():
    from minigrad.hooks import RemovableHandle

    layer = ReLU()
    calls = []
    with layer.register_forward_hook(lambda *args: calls.append(1)) as handle:
        layer(mg.tensor([1.0]))
    layer(mg.tensor([1.0]))
    assert calls == [1] and isinstance(handle, RemovableHandle)
    with pytest.raises(TypeError, match="callable"):
        layer.register_forward_hook("not a function")


# ------------------------------------------------------------------ float64 warning


def test_float64_input_to_a_float32_layer_warns_once_naming_the_layer():
    import warnings

    layer = Linear(3, 2)
    x64 = mg.tensor(np.ones((2, 3)))
    with pytest.warns(UserWarning, match=r"Linear\(in_features=3, out_features=2.*float64.*model.to\(mg.float64\)"):
        out = layer(x64)
    assert out.dtype == np.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(x64)  # once per layer
        layer(mg.tensor(np.ones((2, 3), dtype=np.float32)))
        Linear(3, 2).to(mg.float64)(x64)  # float64 parameters: nothing to warn about
    with pytest.warns(UserWarning, match="float64") as record:
        Linear(3, 2)(np.ones((2, 3)))  # another layer warns for itself; ndarrays count too
    assert record[0].filename == __file__  # points at the user's line


def test_state_dict_and_module_attributes_do_not_include_the_hook_bookkeeping():
    layer = Linear(2, 2)
    layer.register_forward_hook(lambda *args: None)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert repr(layer) == "Linear(in_features=2, out_features=2, bias=True)"
