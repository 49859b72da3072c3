"""save / load: nested dicts of arrays and numbers in a NumPy ``.npz``, written atomically, never pickled.

File layout. The ``.npz`` (a zip of ``.npy`` files) holds one entry per array or
number, named by its path of keys joined with ``"/"`` (``"fc1.weight"``,
``"state/0/exp_avg"``, ``"param_groups/0/lr"``), so ``np.load(path)`` shows readable
names (a path longer than 200 characters keeps its last 200, after ``"..."``). One more
entry, ``"__minigrad__"``, is a 0-d string holding a JSON manifest that records the
nesting and the container types: dicts (with str or int keys, so an optimizer's
``{0: ...}`` comes back with the integer 0), lists, tuples and ``None``. A list or tuple
of Python numbers of one type (all ints, all floats or all bools) is stored as one array
and comes back as a list (or tuple) of Python numbers.

The manifest (format version 2) is flat, so any depth of nesting reads and writes
without recursion::

    {"format": "minigrad", "version": 2, "nodes": [
        {"type": "dict"},                                        # node 0, the top level
        {"type": "array", "parent": 0, "key": "w", "name": "w"},
        {"type": "list", "parent": 0, "key": "hist", "array": "hist"},   # numbers as one array
        {"type": "tuple", "parent": 0, "key": "pair"},
        {"type": "none", "parent": 3},                           # items of a list or tuple: no key
        ...]}

Every node but the first names its ``parent``, an earlier node; a dict's items carry
their ``key``; the items of a container come in its order. Version 1 nested the nodes
inside each other (``{"type": "dict", "items": [[key, node], ...]}``); such files still load.

What comes back: arrays with at least one axis as ndarrays; 0-d values (Python numbers,
NumPy scalars, 0-d arrays) as Python ``int``/``float``/``bool``/``complex``; strings as
``str``; Tensors are stored as their ``.data`` and come back as ndarrays. Object arrays
are refused on save and on load; nothing is ever unpickled. An ``.npz`` written by
``np.savez`` (no manifest) loads as a flat dict of its entries.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import time
import zipfile
from typing import Any

import numpy as np

from .tensor import Tensor

MANIFEST = "__minigrad__"
FORMAT_VERSION = 2
MAX_NAME_CHARS = 200  # entry names keep the end of longer key paths

# Temporaries are named ".minigrad-save-<random>.tmp"; only names of this form are ever cleaned up.
TEMP_PREFIX = ".minigrad-save-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + r"\Z")
_saving_now = set()  # temporaries of the saves in progress in this process (any thread)

_CONTAINERS = ("dict", "list", "tuple")
_NODE_TYPES = _CONTAINERS + ("none", "array")


def save(state: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``state`` (a nested dict of arrays, Tensors and numbers) to ``path`` atomically.

    The file is first written to a temporary file (``.minigrad-save-*.tmp``) in the same
    folder, flushed and fsynced, then renamed onto ``path`` (exactly as given: no ``.npz``
    is appended). If anything fails, an existing file at ``path`` is untouched and no
    temporary is left; temporaries that a crashed process left in the folder are removed
    by the next save there (see ``remove_stale_temporaries``). Any depth of nesting works.
    Raises ``TypeError`` naming the key path of a value or key it cannot store, and
    ``ValueError`` for a container that contains itself.
    """
    path = os.fspath(path)
    flattener = _Flattener()
    nodes = flattener.run(state)
    manifest = json.dumps({"format": "minigrad", "version": FORMAT_VERSION, "nodes": nodes})

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path!r}: the folder {folder!r} does not exist")
    remove_stale_temporaries(folder)
    handle, temp_path = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    _saving_now.add(temp_path)
    try:
        with os.fdopen(handle, "wb") as file:
            _write_npz(file, flattener.entries, manifest)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_path, 0o666 & ~_current_umask())  # mkstemp makes it private (0600)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
    finally:
        _saving_now.discard(temp_path)
    _fsync_folder(folder)


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a file written by ``save``: nested dicts rebuilt, numbers as Python numbers, never unpickling.

    Raises ``FileNotFoundError`` for a missing file, ``IsADirectoryError`` for a folder,
    and ``ValueError`` naming the path for a file that is not an ``.npz`` archive, that
    holds object (pickled) arrays, or whose manifest is damaged (the message says how).
    """
    path = os.fspath(path)
    _check_is_archive(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ValueError(f"{path!r} is not a minigrad archive (a NumPy .npz file): {error}") from error
    with archive:
        reader = _NpzReader(archive)
        try:
            if MANIFEST not in reader.members:
                return {name: _from_stored(reader.read(name)) for name in reader.members}
            return _build(_read_manifest(reader.read(MANIFEST)), reader)
        except ValueError as error:
            if "allow_pickle" in str(error) or "Object arrays" in str(error):
                raise ValueError(
                    f"{path!r} holds an object (pickled) array; minigrad never unpickles, so it cannot load this file"
                ) from error
            raise ValueError(f"cannot load {path!r}: {error}") from error
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, TypeError) as error:
            raise ValueError(f"cannot load {path!r}, the archive is damaged: {error!r}") from error


# --- temporaries --------------------------------------------------------------------------


def _process_start_time():
    """When this process started, in seconds since the epoch (at the latest, when this module was imported).

    On Linux it comes from /proc (the boot time is whole seconds, rounded down, so this may
    be up to a second early). Elsewhere it is when this module was imported: a little
    after the start, but before any save of this process, which is what the cleanup needs.
    """
    imported = time.time()
    try:
        with open("/proc/self/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()  # after "pid (name)": field 3 onwards
        with open("/proc/stat") as file:
            boot = next(int(line.split()[1]) for line in file if line.startswith("btime "))
        started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in ticks after boot
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return imported
    return min(started, imported)


PROCESS_START_TIME = _process_start_time()


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[str]:
    """Delete the temporaries that saves in crashed processes left in ``folder``; return their names.

    Only regular files named ``.minigrad-save-<letters, digits, _>.tmp`` are considered, and
    only those last modified before this process started: a save still writing (here or
    in another live process) keeps touching its file, and the saves in progress in this
    process are skipped by name. Errors are ignored: cleaning up never stops a save.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for name in sorted(names):
        temp_path = os.path.join(folder, name)
        if _TEMP_NAME.match(name) is None or temp_path in _saving_now:
            continue
        try:
            info = os.lstat(temp_path)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < PROCESS_START_TIME:
                os.remove(temp_path)
                removed.append(name)
        except OSError:
            pass  # gone already, or not ours to remove
    return removed


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # the file is in place; only the durability guarantee is weaker on this file system
    finally:
        os.close(handle)


# --- saving -------------------------------------------------------------------------------


class _Flattener:
    """Turns a nested state into the manifest's flat node list and a dict of arrays by entry name.

    It walks with an explicit stack instead of recursion, so a state nested 10,000 levels
    deep is as fine as a flat one.
    """

    def __init__(self):
        self.nodes = []  # the manifest's nodes, each parent before its children
        self.parents = []  # index of each node's parent (None for the top level)
        self.keys = []  # each node's key in its parent (its position in a list or tuple)
        self.entries = {}  # entry name -> array
        self._next_copy = {}  # entry name -> next "~n" suffix to try when that name is taken

    def run(self, state):
        """Flatten ``state``; return the node list (``self.entries`` holds the arrays)."""
        stack = [(state, None, None)]
        open_containers = set()  # ids of the containers from the top level down to the current node
        while stack:
            value, parent, key = stack.pop()
            if value is _LEAVE:
                open_containers.discard(key)
                continue
            index = self._add_node(parent, key)
            children = self._fill(index, value)
            if children is None:
                continue
            if id(value) in open_containers:
                raise ValueError(
                    f"cannot save a {type(value).__name__} that contains itself, at {self.describe(index)}"
                )
            open_containers.add(id(value))
            stack.append((_LEAVE, None, id(value)))  # runs after every child below is done
            stack.extend((child, index, child_key) for child_key, child in reversed(children))
        return self.nodes

    def _add_node(self, parent, key):
        node = {"type": None}
        if parent is not None:
            node["parent"] = parent
            if self.nodes[parent]["type"] == "dict":
                node["key"] = key
        self.nodes.append(node)
        self.parents.append(parent)
        self.keys.append(key)
        return len(self.nodes) - 1

    def _fill(self, index, value):
        """Complete node ``index`` for ``value``; return its (key, child) pairs if it is a container to open."""
        node = self.nodes[index]
        if isinstance(value, dict):
            node["type"] = "dict"
            for key in value:
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise TypeError(
                        f"cannot save key {key!r} (a {type(key).__name__}) at {self.describe(index)}: "
                        "keys must be str or int"
                    )
            return list(value.items())
        if isinstance(value, (list, tuple)):
            node["type"] = "tuple" if isinstance(value, tuple) else "list"
            if _is_number_list(value):
                node["array"] = self._add_entry(np.array(value), index)
                return None
            return list(enumerate(value))
        if value is None:
            node["type"] = "none"
            return None
        node["type"] = "array"
        node["name"] = self._add_entry(self._as_storable_array(value, index), index)
        return None

    def _as_storable_array(self, value, index):
        if isinstance(value, Tensor):
            value = value.data
        if not isinstance(value, (np.ndarray, np.generic, int, float, complex, bool, str, bytes)):
            raise TypeError(
                f"cannot save a {type(value).__name__} at {self.describe(index)}: "
                "values must be arrays, Tensors, numbers, strings, None, or dicts/lists of them"
            )
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError(
                f"cannot save the object array at {self.describe(index)} without pickling it "
                f"(got {value!r:.80}); convert it to a numeric array"
            )
        return array

    def _add_entry(self, array, index):
        """Store ``array`` under node ``index``'s path name (made unique if two paths read the same)."""
        if array.dtype == object:
            raise TypeError(f"cannot save the values at {self.describe(index)}: integers too large for int64")
        base = self._entry_base(index)
        name = base
        if name in self.entries or name == MANIFEST:
            copy = self._next_copy.get(base, 1)
            while f"{base}~{copy}" in self.entries:
                copy += 1
            name = f"{base}~{copy}"
            self._next_copy[base] = copy + 1
        self.entries[name] = array
        return name

    def _entry_base(self, index):
        """The keys from the top level to node ``index`` joined by "/" (only the end of a long path)."""
        parts, length = [], 0
        while self.parents[index] is not None and length <= MAX_NAME_CHARS:
            parts.append(str(self.keys[index]))
            length += len(parts[-1]) + 1
            index = self.parents[index]
        name = "/".join(reversed(parts))
        if self.parents[index] is not None or len(name) > MAX_NAME_CHARS:
            name = "..." + name[-MAX_NAME_CHARS:]
        return name or "value"

    def describe(self, index):
        """Where node ``index`` sits, for messages: ``key path 'a'/0/'b'`` (the middle left out when deep)."""
        keys = []
        while self.parents[index] is not None:
            keys.append(self.keys[index])
            index = self.parents[index]
        keys.reverse()
        if not keys:
            return "the top level"
        shown = [repr(key) for key in keys]
        if len(shown) > 12:
            shown = shown[:3] + ["..."] + shown[-8:]
            return "key path " + "/".join(shown) + f" ({len(keys)} keys deep)"
        return "key path " + "/".join(shown)


_LEAVE = object()  # a stack mark: the container whose id it carries has no more children to visit


def _is_number_list(values):
    """True for a non-empty list whose items are all ints, all floats or all bools (exact types)."""
    kinds = {type(item) for item in values}
    return len(kinds) == 1 and kinds.pop() in (int, float, bool)


def _write_npz(file, entries, manifest):
    """Write the entries and the manifest as an uncompressed .npz into an open binary file."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in [(MANIFEST, np.array(manifest))] + list(entries.items()):
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


# --- loading ------------------------------------------------------------------------------


def _check_is_archive(path):
    """Raise the right error unless ``path`` is a file that starts like a zip (an .npz) archive."""
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot load {path!r}: it is a folder, and mg.load expects a file written by mg.save")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no file to load at {path!r}")
    if not os.path.isfile(path):
        raise ValueError(f"cannot load {path!r}: it is not a regular file")
    with open(path, "rb") as file:
        head = file.read(6)
    if head == b"\x93NUMPY":
        raise ValueError(f"{path!r} is a single .npy array, not a minigrad archive (a NumPy .npz file)")
    if head[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip's first member, or an empty zip
        found = "it is empty" if not head else f"it starts with {head!r}, not a zip archive's bytes"
        raise ValueError(f"{path!r} is not a minigrad archive (a NumPy .npz file): {found}")


def _read_manifest(entry):
    """The manifest's list of nodes (a version-1 tree is flattened into one)."""
    if entry.ndim != 0 or entry.dtype.kind != "U":
        raise ValueError(f"its entry {MANIFEST!r} is not the text of a manifest (found {entry.dtype} {entry.shape})")
    try:
        manifest = json.loads(str(entry.item()))
    except RecursionError:
        raise ValueError(f"its entry {MANIFEST!r} is nested too deeply to read") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"its entry {MANIFEST!r} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "minigrad":
        raise ValueError(f"its entry {MANIFEST!r} is not a minigrad manifest")
    version = manifest.get("version")
    if type(version) is not int or version < 1:
        raise ValueError(f"its manifest has no valid format version (found {version!r:.40})")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"it was written by a newer minigrad (format version {version}, this one reads up to {FORMAT_VERSION})"
        )
    if version == 1:
        if "tree" not in manifest:
            raise ValueError("its version-1 manifest has no 'tree'")
        return _nodes_from_tree(manifest["tree"])
    nodes = manifest.get("nodes")
    if not isinstance(nodes, list):
        raise ValueError(f"its manifest's 'nodes' should be a list, found {type(nodes).__name__}")
    return nodes


_NO_KEY = object()  # the "key" of an item of a list or tuple in a version-1 tree


def _nodes_from_tree(tree):
    """Version 1's nested tree as version 2's flat node list, walked with a stack (no recursion)."""
    nodes = []
    stack = [(tree, None, _NO_KEY)]
    while stack:
        item, parent, key = stack.pop()
        where = f"node {len(nodes)} of its version-1 manifest"
        if not isinstance(item, dict):
            raise ValueError(f"{where} is a {type(item).__name__}, not an object")
        node = {field: item[field] for field in ("type", "name", "array") if field in item}
        if parent is not None:
            node["parent"] = parent
        if key is not _NO_KEY:
            node["key"] = key
        nodes.append(node)
        if item.get("type") not in _CONTAINERS or "array" in item:
            continue
        items = item.get("items")
        if not isinstance(items, list):
            raise ValueError(f"{where} is a {item['type']} without a list of 'items'")
        if item["type"] == "dict":
            if not all(isinstance(pair, list) and len(pair) == 2 for pair in items):
                raise ValueError(f"{where} is a dict whose items are not [key, node] pairs")
            children = [(child, len(nodes) - 1, child_key) for child_key, child in items]
        else:
            children = [(child, len(nodes) - 1, _NO_KEY) for child in items]
        stack.extend(reversed(children))
    return nodes


def _check_node(index, node, nodes):
    """Raise ValueError saying what is wrong with node ``index`` of a manifest, if anything."""
    where = f"node {index} of its manifest"
    if not isinstance(node, dict):
        raise ValueError(f"{where} is a {type(node).__name__}, not an object")
    kind = node.get("type")
    if kind not in _NODE_TYPES:
        raise ValueError(f"{where} has the unknown type {kind!r:.40} (known: {', '.join(_NODE_TYPES)})")
    parent = node.get("parent")
    if index == 0:
        if parent is not None:
            raise ValueError(f"{where} is the top level but names the parent {parent!r:.40}")
    else:
        if type(parent) is not int or not 0 <= parent < index:
            raise ValueError(
                f"{where} names the parent {parent!r:.40}, which is not an earlier node (0 to {index - 1})"
            )
        holder = nodes[parent]
        if holder.get("type") not in _CONTAINERS or "array" in holder:
            raise ValueError(f"{where} names the parent {parent}, a {holder.get('type')} that holds no items")
        key = node.get("key")
        if holder["type"] == "dict" and (type(key) not in (str, int)):
            raise ValueError(f"{where} sits in a dict under the key {key!r:.40}; keys must be str or int")
    for field in ("name", "array"):
        if field in node and not isinstance(node[field], str):
            raise ValueError(f"{where} names its entry with a {type(node[field]).__name__}, not a str")
    if kind == "array" and "name" not in node:
        raise ValueError(f"{where} is an array without the 'name' of its entry")


def _build(nodes, reader):
    """The value a manifest's node list describes, its arrays read from the archive (no recursion)."""
    if not nodes:
        raise ValueError("its manifest has no nodes")
    children = [[] for _ in nodes]
    for index, node in enumerate(nodes):
        _check_node(index, node, nodes)
        if index > 0:
            children[node["parent"]].append(index)
    values = [None] * len(nodes)
    for index in reversed(range(len(nodes))):  # every child comes after its parent: built first
        node, kind = nodes[index], nodes[index]["type"]
        if kind == "dict":
            value = {}
            for child in children[index]:
                key = nodes[child]["key"]
                if key in value:
                    raise ValueError(f"node {index} of its manifest, a dict, has the key {key!r:.40} twice")
                value[key] = values[child]
        elif kind in ("list", "tuple"):
            items = _number_list(reader, node["array"]) if "array" in node else [values[c] for c in children[index]]
            value = tuple(items) if kind == "tuple" else items
        elif kind == "array":
            value = _from_stored(reader.read(node["name"]))
        else:
            value = None
        values[index] = value
        for child in children[index]:
            values[child] = None  # the parent holds it now
    return values[0]


def _number_list(reader, name):
    array = reader.read(name)
    if array.ndim != 1 or array.dtype.kind not in "biufc":
        raise ValueError(f"its entry {name!r} should hold a list of numbers, found {array.dtype} {array.shape}")
    return array.tolist()


class _NpzReader:
    """The arrays of an open ``.npz`` (a zip of ``.npy`` files) by name, never unpickling.

    Like ``np.load``'s ``NpzFile`` (names without ``.npy``), but it finds a name in a dict,
    so an archive of 10,000 entries reads in linear time.
    """

    def __init__(self, archive):
        self.archive = archive
        self.members = {}  # entry name -> member name in the zip, in the zip's order
        for member in archive.namelist():
            self.members[member[:-4] if member.endswith(".npy") else member] = member

    def read(self, name):
        """The array stored under ``name``; ValueError if there is none."""
        member = self.members.get(name) if isinstance(name, str) else None
        if member is None:
            raise ValueError(f"it is missing the entry {name!r:.80} that its manifest names")
        if not member.endswith(".npy"):
            raise ValueError(f"its member {member!r} is not a NumPy array (.npy)")
        with self.archive.open(member) as file:
            return np.lib.format.read_array(file, allow_pickle=False)


def _from_stored(array):
    """0-d arrays as Python numbers (or str); other arrays unchanged."""
    return array.item() if array.ndim == 0 else array
