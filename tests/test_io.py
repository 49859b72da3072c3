"""save / load: round trips, Python number types, exact paths, atomic writes, refusal of pickles."""

import os
import zipfile

import numpy as np
import pytest

from minigrad.io import load, save
from minigrad.tensor import Tensor


def files_in(folder):
    return sorted(os.listdir(folder))


def test_nested_dict_round_trip(tmp_path):
    state = {
        "fc1.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
        "fc1.bias": np.array([0.5, -0.5]),
        "meta": {
            "epoch": 3,
            "lr": 0.01,
            "done": False,
            "name": "mlp",
            "note": None,
            "deeper": {"mask": np.array([True, False]), "ids": np.array([1, 2], dtype=np.int64)},
        },
        "empty": {},
    }
    save(state, tmp_path / "model.npz")
    back = load(tmp_path / "model.npz")
    assert list(back) == list(state)
    for key in ("fc1.weight", "fc1.bias"):
        assert back[key].dtype == state[key].dtype
        np.testing.assert_array_equal(back[key], state[key])
    meta = back["meta"]
    assert meta["epoch"] == 3 and meta["lr"] == 0.01 and meta["done"] is False
    assert meta["name"] == "mlp" and meta["note"] is None
    np.testing.assert_array_equal(meta["deeper"]["mask"], [True, False])
    assert meta["deeper"]["ids"].dtype == np.int64
    assert back["empty"] == {}


def test_numbers_come_back_as_python_types(tmp_path):
    state = {
        "int": 7,
        "float": 2.5,
        "bool": True,
        "np_float32": np.float32(0.25),
        "np_int": np.int16(-3),
        "np_bool": np.bool_(False),
        "zero_d": np.array(4.0),
        "zero_d_int": np.array(9),
    }
    save(state, tmp_path / "n.npz")
    back = load(tmp_path / "n.npz")
    assert back == {
        "int": 7,
        "float": 2.5,
        "bool": True,
        "np_float32": 0.25,
        "np_int": -3,
        "np_bool": False,
        "zero_d": 4.0,
        "zero_d_int": 9,
    }
    assert [type(v) for v in back.values()] == [int, float, bool, float, int, bool, float, int]


def test_int_keys_lists_and_tuples_survive(tmp_path):
    state = {
        "state": {0: {"buf": np.ones(2)}, 1: {"step": 4}},
        "groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1]}],
        "history": [0.5, 0.25, 0.125],
        "mixed": [1, "a", np.zeros(1)],
    }
    save(state, tmp_path / "opt.npz")
    back = load(tmp_path / "opt.npz")
    assert set(back["state"]) == {0, 1} and back["state"][1] == {"step": 4}
    group = back["groups"][0]
    assert group["betas"] == (0.9, 0.999) and isinstance(group["betas"], tuple)
    assert group["params"] == [0, 1] and all(type(i) is int for i in group["params"])
    assert back["history"] == [0.5, 0.25, 0.125]
    assert back["mixed"][:2] == [1, "a"]
    np.testing.assert_array_equal(back["mixed"][2], [0.0])


def test_tensors_are_stored_as_their_data(tmp_path):
    t = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    save({"w": t}, tmp_path / "t.npz")
    back = load(tmp_path / "t.npz")["w"]
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, [[1.0, 2.0]])


def test_path_is_kept_exactly(tmp_path):
    for name in ("checkpoint", "weights.bin", "model.npz"):
        save({"a": np.ones(1)}, tmp_path / name)
        assert (tmp_path / name).exists()
        np.testing.assert_array_equal(load(str(tmp_path / name))["a"], [1.0])
    assert files_in(tmp_path) == ["checkpoint", "model.npz", "weights.bin"]


def test_file_is_a_plain_npz_with_readable_names(tmp_path):
    save({"fc1.weight": np.ones(2), "opt": {"state": {0: {"buf": np.zeros(2)}}}}, tmp_path / "m")
    with np.load(tmp_path / "m", allow_pickle=False) as archive:
        assert {"fc1.weight", "opt/state/0/buf"} <= set(archive.files)


def test_keys_that_would_clash_stay_apart(tmp_path):
    state = {"a/b": 1, "a": {"b": 2}, 0: 3, "0": 4}
    save(state, tmp_path / "c.npz")
    assert load(tmp_path / "c.npz") == state


def test_overwrite_replaces_the_old_file(tmp_path):
    path = tmp_path / "m.npz"
    save({"v": 1}, path)
    save({"v": 2}, path)
    assert load(path) == {"v": 2}
    assert files_in(tmp_path) == ["m.npz"]


def test_crash_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": np.arange(3.0)}, path)
    real_write = np.lib.format.write_array
    calls = []

    def failing_write(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full (injected)")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="injected"):
        save({"w": np.zeros(3), "b": np.ones(2)}, path)
    monkeypatch.undo()
    assert files_in(tmp_path) == ["model.npz"]
    np.testing.assert_array_equal(load(path)["w"], [0.0, 1.0, 2.0])


def test_crash_while_renaming_leaves_no_temporary(tmp_path, monkeypatch):
    def failing_replace(src, dst):
        raise OSError("rename failed (injected)")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="injected"):
        save({"w": np.zeros(3)}, tmp_path / "new.npz")
    monkeypatch.undo()
    assert files_in(tmp_path) == []


def test_unsaveable_values_fail_before_touching_the_disk(tmp_path):
    path = tmp_path / "m.npz"
    save({"keep": 1}, path)
    with pytest.raises(TypeError, match="object array"):
        save({"bad": np.array([1, "a", None], dtype=object)}, path)
    with pytest.raises(TypeError, match=r"set.*'outer'/'inner'"):
        save({"outer": {"inner": {1, 2}}}, path)
    with pytest.raises(TypeError, match=r"key 1\.5"):
        save({1.5: np.ones(1)}, path)
    with pytest.raises(TypeError, match="too large"):
        save({"big": [2**70, 1]}, path)
    assert files_in(tmp_path) == ["m.npz"]
    assert load(path) == {"keep": 1}


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.npz"
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load(missing)


def test_missing_folder_on_save_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_dir"):
        save({"a": 1}, tmp_path / "no_such_dir" / "m.npz")


def test_plain_text_file_is_refused_with_the_path(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not an archive\n")
    with pytest.raises(ValueError, match="notes.txt.*not a minigrad archive"):
        load(path)


def test_single_npy_file_is_refused(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="x.npy.*single .npy"):
        load(path)


def test_pickled_object_arrays_are_refused(tmp_path):
    path = tmp_path / "evil.npz"
    with open(path, "wb") as file:
        np.savez(file, payload=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="evil.npz.*never unpickles"):
        load(path)


def test_a_pickle_file_is_refused(tmp_path):
    import pickle

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    with pytest.raises(ValueError, match="model.pkl"):
        load(path)


def test_damaged_archive_is_reported(tmp_path):
    path = tmp_path / "cut.npz"
    save({"w": np.arange(1000.0)}, path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ValueError, match="cut.npz"):
        load(path)


def test_an_npz_from_np_savez_loads_as_a_flat_dict(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, w=np.ones(2), n=np.array(3))
    back = load(path)
    assert back["n"] == 3 and type(back["n"]) is int
    np.testing.assert_array_equal(back["w"], [1.0, 1.0])


def test_zip_without_npy_members_is_refused(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__minigrad__.npy", "not an array")
    with pytest.raises(ValueError, match="other.zip"):
        load(path)


def test_saved_file_is_readable_by_others(tmp_path):
    path = tmp_path / "m.npz"
    save({"a": 1}, path)
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask


def test_model_round_trip(tmp_path):
    from minigrad.nn.layers import Linear, ReLU, Sequential

    model = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    save(model.state_dict(), tmp_path / "model.npz")
    other = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    other.load_state_dict(load(tmp_path / "model.npz"))
    for (name, a), (other_name, b) in zip(model.state_dict().items(), other.state_dict().items()):
        assert name == other_name
        np.testing.assert_array_equal(a, b)
