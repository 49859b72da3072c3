"""save / load: round trips, Python number types, exact paths, atomic writes, refusal of pickles,
any depth of nesting, hostile manifests, format version 1, and cleanup of crashed saves' temporaries."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pytest

import minigrad.io as mio
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
    for (name, a), (other_name, b) in zip(model.state_dict().items(), other.state_dict().items(), strict=True):
        assert name == other_name
        np.testing.assert_array_equal(a, b)


# --- the file format ------------------------------------------------------------------------


def manifest_of(path):
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(str(archive["__minigrad__"]))


def test_manifest_is_a_flat_list_of_nodes_with_parents(tmp_path):
    save({"w": np.ones(2), "h": [1.0, 2.0], "t": (None, "x"), 3: {}}, tmp_path / "m")
    assert manifest_of(tmp_path / "m") == {
        "format": "minigrad",
        "version": 2,
        "nodes": [
            {"type": "dict"},
            {"type": "array", "parent": 0, "key": "w", "name": "w"},
            {"type": "list", "parent": 0, "key": "h", "array": "h"},
            {"type": "tuple", "parent": 0, "key": "t"},
            {"type": "none", "parent": 3},
            {"type": "array", "parent": 3, "name": "t/1"},
            {"type": "dict", "parent": 0, "key": 3},
        ],
    }


def write_archive(path, manifest, **entries):
    """An .npz holding ``manifest`` (a str, or an object dumped to JSON) as its manifest, and ``entries``."""
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    with open(path, "wb") as file:
        np.savez(file, __minigrad__=np.array(text), **entries)


# Exactly what minigrad wrote before the flat manifest (format version 1).
VERSION_1_MANIFEST = (
    '{"format": "minigrad", "version": 1, "tree": {"type": "dict", "items": [["w", {"type": "array", "name": "w"}], '
    '["opt", {"type": "dict", "items": [[0, {"type": "dict", "items": [["step", {"type": "array", "name": '
    '"opt/0/step"}], ["betas", {"type": "tuple", "array": "opt/0/betas"}]]}]]}], ["mix", {"type": "list", "items": '
    '[{"type": "none"}, {"type": "array", "name": "mix/1"}, {"type": "list", "array": "mix/2"}]}], '
    '["n", {"type": "none"}]]}}'
)


def test_version_1_files_still_load(tmp_path):
    path = tmp_path / "old.npz"
    entries = {
        "w": np.ones(2),
        "opt/0/step": np.array(3),
        "opt/0/betas": np.array([0.9, 0.99]),
        "mix/1": np.array("a"),
        "mix/2": np.array([1, 2]),
    }
    write_archive(path, VERSION_1_MANIFEST, **entries)
    back = load(path)
    assert list(back) == ["w", "opt", "mix", "n"]
    np.testing.assert_array_equal(back["w"], [1.0, 1.0])
    assert back["opt"] == {0: {"step": 3, "betas": (0.9, 0.99)}}
    assert back["mix"] == [None, "a", [1, 2]] and back["n"] is None


# --- any depth, without recursion -------------------------------------------------------------


def nested_dicts(depth, numbers):
    """{"level": 0, "next": {"level": 1, "next": ... {"leaf": [0, 1, 2]}}}, built without recursion."""
    state = {"leaf": np.arange(3)}
    for level in reversed(range(depth)):
        state = {"level": level, "next": state} if numbers else {"next": state}
    return state


# 10,000 levels without a number at each (one .npy entry per number would make the test slow, not deeper).
@pytest.mark.parametrize("depth, numbers", [(1500, True), (10_000, False)])
def test_deeply_nested_dicts_round_trip(tmp_path, depth, numbers):
    assert sys.getrecursionlimit() < depth  # recursion would fail here
    save(nested_dicts(depth, numbers), tmp_path / "deep.npz")
    node = load(tmp_path / "deep.npz")
    for level in range(depth):
        assert list(node) == (["level", "next"] if numbers else ["next"])
        assert node.get("level", level) == level
        node = node["next"]
    assert list(node) == ["leaf"]
    np.testing.assert_array_equal(node["leaf"], [0, 1, 2])
    with np.load(tmp_path / "deep.npz") as archive:
        names = archive.files
    assert len(names) == (depth if numbers else 0) + 2 and len(set(names)) == len(names)
    bases = [name.split("~")[0] for name in names]  # "~n" tells apart paths whose ends read the same
    assert max(len(base) for base in bases) == 203  # deep paths keep their last 200 characters after "..."
    assert bases[-1] == "..." + ("next/" * 41 + "leaf")[-200:]


def test_deeply_nested_lists_and_tuples_round_trip(tmp_path):
    state = (1.5, 2.5)
    for level in range(3000):
        state = [state, None] if level % 2 else (state,)
    save({"s": state}, tmp_path / "deep.npz")
    node = load(tmp_path / "deep.npz")["s"]
    for level in reversed(range(3000)):
        if level % 2:
            assert type(node) is list and len(node) == 2 and node[1] is None
        else:
            assert type(node) is tuple and len(node) == 1
        node = node[0]
    assert node == (1.5, 2.5) and type(node) is tuple


def test_a_container_that_contains_itself_is_refused(tmp_path):
    looped = {"a": [1, "x"]}
    looped["a"].append({"back": looped})
    with pytest.raises(ValueError, match=r"dict that contains itself.*'a'/2/'back'"):
        save(looped, tmp_path / "loop.npz")
    assert files_in(tmp_path) == []


def test_shared_containers_that_are_not_cycles_save_twice(tmp_path):
    shared = {"lr": 0.1, "mixed": [1, "x"]}
    save({"a": shared, "b": [shared, shared]}, tmp_path / "s.npz")
    back = load(tmp_path / "s.npz")
    assert back == {"a": shared, "b": [shared, shared]} and back["a"] is not back["b"][0]


def test_a_bad_value_deep_down_names_a_shortened_path(tmp_path):
    state = {"bad": {1, 2}}
    for level in range(50):
        state = {f"k{level}": state}
    shown = "'k49'/'k48'/'k47'/.../'k6'/'k5'/'k4'/'k3'/'k2'/'k1'/'k0'/'bad' (51 keys deep)"
    with pytest.raises(TypeError, match=re.escape(shown)):
        save(state, tmp_path / "m.npz")


# --- hostile or damaged manifests: always a ValueError that says what is wrong ---------------


def too_deep_json(depth=100_000):
    return '{"format": "minigrad", "version": 1, "tree": ' + "[" * depth + "]" * depth + "}"


def node_list(*nodes):
    return {"format": "minigrad", "version": 2, "nodes": list(nodes)}


ROOT, ARRAY_W = {"type": "dict"}, {"type": "array", "parent": 0, "key": "w", "name": "w"}

HOSTILE_MANIFESTS = [
    ("deep JSON", too_deep_json(), "nested too deeply"),
    ("not JSON", "{not json", "not valid JSON"),
    ("a list", [1, 2], "not a minigrad manifest"),
    ("other format", {"format": "other"}, "not a minigrad manifest"),
    ("version as text", {"format": "minigrad", "version": "2", "nodes": []}, "no valid format version"),
    ("future version", {"format": "minigrad", "version": 99, "nodes": []}, "newer minigrad (format version 99"),
    ("nodes not a list", {"format": "minigrad", "version": 2, "nodes": {"0": ROOT}}, "'nodes' should be a list"),
    ("no nodes", node_list(), "no nodes"),
    ("node not an object", node_list(ROOT, 7), "node 1 of its manifest is a int"),
    ("unknown type", node_list({"type": "set"}), "unknown type 'set'"),
    ("root with a parent", node_list({"type": "dict", "parent": 0}), "top level but names the parent 0"),
    ("parent of itself", node_list(ROOT, {"type": "dict", "parent": 1, "key": "a"}), "parent 1, which is not"),
    ("parent later", node_list(ROOT, {"type": "none", "parent": 2, "key": "a"}, ROOT), "parent 2, which is not"),
    ("negative parent", node_list(ROOT, {"type": "none", "parent": -1, "key": "a"}), "parent -1"),
    ("parent as text", node_list(ROOT, {"type": "none", "parent": "0", "key": "a"}), "parent '0'"),
    ("parent as bool", node_list(ROOT, {"type": "none", "parent": True, "key": "a"}), "parent True"),
    ("no parent", node_list(ROOT, {"type": "none", "key": "a"}), "parent None"),
    ("parent an array", node_list(ROOT, ARRAY_W, {"type": "none", "parent": 1}), "a array that holds no items"),
    ("dict item without key", node_list(ROOT, {"type": "none", "parent": 0}), "under the key None"),
    ("key a list", node_list(ROOT, {"type": "none", "parent": 0, "key": [1]}), "under the key [1]"),
    ("key a bool", node_list(ROOT, {"type": "none", "parent": 0, "key": True}), "under the key True"),
    ("key twice", node_list(ROOT, ARRAY_W, ARRAY_W), "has the key 'w' twice"),
    ("array without name", node_list(ROOT, {"type": "array", "parent": 0, "key": "w"}), "without the 'name'"),
    ("name a number", node_list(ROOT, {"type": "array", "parent": 0, "key": "w", "name": 4}), "with a int"),
    ("missing entry", node_list(ROOT, {**ARRAY_W, "name": "ghost"}), "missing the entry 'ghost'"),
    ("number list 2-d", node_list({"type": "list", "array": "grid"}), "'grid' should hold a list of numbers"),
    ("v1 items not a list", {"format": "minigrad", "version": 1, "tree": {"type": "list", "items": 3}}, "'items'"),
    ("v1 pairs", {"format": "minigrad", "version": 1, "tree": {"type": "dict", "items": [[1]]}}, "[key, node] pairs"),
    ("v1 node not object", {"format": "minigrad", "version": 1, "tree": {"type": "list", "items": [5]}}, "is a int"),
    ("v1 unknown type", {"format": "minigrad", "version": 1, "tree": {"type": "list", "items": [{}]}}, "type None"),
    ("v1 without tree", {"format": "minigrad", "version": 1}, "no 'tree'"),
]


@pytest.mark.parametrize(
    "manifest, words", [case[1:] for case in HOSTILE_MANIFESTS], ids=[c[0] for c in HOSTILE_MANIFESTS]
)
def test_a_hostile_manifest_raises_a_value_error_saying_what_is_wrong(tmp_path, manifest, words):
    path = tmp_path / "hostile.npz"
    write_archive(path, manifest, w=np.ones(2), grid=np.ones((2, 2)))
    with pytest.raises(ValueError) as info:
        load(path)
    message = str(info.value)
    assert "hostile.npz" in message and words in message


def test_a_manifest_entry_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    with open(path, "wb") as file:
        np.savez(file, __minigrad__=np.arange(3))
    with pytest.raises(ValueError, match=r"m\.npz.*not the text of a manifest"):
        load(path)


# --- what load says about paths that are not archives ----------------------------------------


def test_a_folder_is_refused_as_a_folder(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="checkpoints.*is a folder.*expects a file"):
        load(folder)


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz.*not a minigrad archive.*it is empty"):
        load(tmp_path / "empty.npz")


# --- temporaries left by crashed saves ---------------------------------------------------------

LONG_AGO = 1_000_000_000  # 2001


def make_file(path, mtime=None):
    path.write_bytes(b"partial")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def test_stale_temporaries_of_our_naming_are_removed_by_the_next_save(tmp_path):
    make_file(tmp_path / ".minigrad-save-crashed1.tmp", LONG_AGO)
    make_file(tmp_path / ".minigrad-save-x_Y9.tmp", mio.PROCESS_START_TIME - 5)
    keep = {
        ".minigrad-save-fresh.tmp": None,  # written since this process started: maybe a live save elsewhere
        ".other-tool.tmp": LONG_AGO,  # another program's temporary
        ".minigrad-save-notes.txt": LONG_AGO,  # not our suffix
        "minigrad-save-a.tmp": LONG_AGO,  # not a dot-file
        ".minigrad-save-a.b.tmp": LONG_AGO,  # not our characters
        ".minigrad-save-.tmp": LONG_AGO,  # nothing between prefix and suffix
    }
    for name, mtime in keep.items():
        make_file(tmp_path / name, mtime)
    (tmp_path / ".minigrad-save-folder.tmp").mkdir()  # only regular files are removed
    os.utime(tmp_path / ".minigrad-save-folder.tmp", (LONG_AGO, LONG_AGO))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    make_file(elsewhere / ".minigrad-save-crashed2.tmp", LONG_AGO)

    save({"a": 1}, tmp_path / "m.npz")
    assert files_in(tmp_path) == sorted([*keep, ".minigrad-save-folder.tmp", "elsewhere", "m.npz"])
    assert files_in(elsewhere) == [".minigrad-save-crashed2.tmp"]  # another folder waits for a save there
    assert mio.remove_stale_temporaries(str(elsewhere)) == [".minigrad-save-crashed2.tmp"]


def test_process_start_time_is_when_the_process_started():
    before = time.time()
    script = "import time; import minigrad.io as mio; print(mio.PROCESS_START_TIME, time.time())"
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    started, imported = map(float, output.split())
    after = time.time()
    assert before - 1.5 <= started <= imported <= after  # /proc's boot time is whole seconds
    assert mio.PROCESS_START_TIME <= before


def test_a_save_in_progress_in_this_process_is_never_removed(tmp_path, monkeypatch):
    """Thread A pauses mid-write; its temporary is made to look ancient; thread B's save must leave it."""
    writing, may_finish = threading.Event(), threading.Event()
    real_write = mio._write_npz

    def paused_write(file, entries, manifest):
        if "first" in entries:
            writing.set()
            assert may_finish.wait(10)
        real_write(file, entries, manifest)

    monkeypatch.setattr(mio, "_write_npz", paused_write)
    errors = []
    first = threading.Thread(target=lambda: errors.append(save_and_report({"first": np.arange(4)}, tmp_path / "a")))
    first.start()
    assert writing.wait(10)
    (temporary,) = [name for name in files_in(tmp_path) if name.startswith(".minigrad-save-")]
    os.utime(tmp_path / temporary, (LONG_AGO, LONG_AGO))
    save({"second": 2}, tmp_path / "b")
    assert temporary in files_in(tmp_path)
    may_finish.set()
    first.join(10)
    assert errors == [None]
    assert files_in(tmp_path) == ["a", "b"]
    np.testing.assert_array_equal(load(tmp_path / "a")["first"], np.arange(4))


def save_and_report(state, path):
    try:
        save(state, path)
    except Exception as error:  # reported to the main thread
        return error
    return None


def test_a_failed_write_leaves_no_temporary_of_our_naming(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": np.arange(3.0)}, path)

    def failing_write(file, entries, manifest):
        file.write(b"half an archive")
        assert any(name.startswith(".minigrad-save-") for name in os.listdir(tmp_path))
        raise RuntimeError("writer broke (injected)")

    monkeypatch.setattr(mio, "_write_npz", failing_write)
    with pytest.raises(RuntimeError, match="injected"):
        save({"w": np.zeros(3)}, path)
    assert files_in(tmp_path) == ["model.npz"]
    np.testing.assert_array_equal(load(path)["w"], [0.0, 1.0, 2.0])
