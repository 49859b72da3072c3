"""save / load: nested dicts of arrays and numbers in a NumPy ``.npz``, written atomically, never pickled.

File layout. The ``.npz`` (a zip of ``.npy`` files) holds one entry per array or
number, named by its path of keys joined with ``"/"`` (``"fc1.weight"``,
``"state/0/exp_avg"``, ``"param_groups/0/lr"``), so ``np.load(path)`` shows readable
names. One more entry, ``"__minigrad__"``, is a 0-d string holding a JSON manifest
that records the nesting and the container types: dicts (with str or int keys, so an
optimizer's ``{0: ...}`` comes back with the integer 0), lists, tuples and ``None``.
A list or tuple of Python numbers of one type (all ints, all floats or all bools) is
stored as one array and comes back as a list (or tuple) of Python numbers.

What comes back: arrays with at least one axis as ndarrays; 0-d values (Python numbers,
NumPy scalars, 0-d arrays) as Python ``int``/``float``/``bool``/``complex``; strings as
``str``; Tensors are stored as their ``.data`` and come back as ndarrays. Object arrays
are refused on save and on load; nothing is ever unpickled. An ``.npz`` written by
``np.savez`` (no manifest) loads as a flat dict of its entries.
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from .tensor import Tensor

MANIFEST = "__minigrad__"
FORMAT_VERSION = 1


def save(state, path):
    """Write ``state`` (a nested dict of arrays, Tensors and numbers) to ``path`` atomically.

    The file is first written to a temporary file in the same folder, flushed and
    fsynced, then renamed onto ``path`` (exactly as given: no ``.npz`` is appended). If
    anything fails, an existing file at ``path`` is untouched and no temporary is left.
    Raises ``TypeError`` naming the key path of a value or key it cannot store.
    """
    path = os.fspath(path)
    entries = {}
    tree = _flatten(state, [], entries)
    manifest = json.dumps({"format": "minigrad", "version": FORMAT_VERSION, "tree": tree})

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path!r}: the folder {folder!r} does not exist")
    handle, temp_path = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            _write_npz(file, entries, manifest)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_path, 0o666 & ~_current_umask())  # mkstemp makes it private (0600)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
    _fsync_folder(folder)


def load(path):
    """Read a file written by ``save``: nested dicts rebuilt, numbers as Python numbers, never unpickling.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the path for
    a file that is not an ``.npz`` archive or that holds object (pickled) arrays.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no file to load at {path!r}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path!r} is not a minigrad archive (a NumPy .npz file): {error}") from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path!r} is a single .npy array, not a minigrad archive (a NumPy .npz file)")
    with archive:
        try:
            if MANIFEST not in archive.files:
                return {name: _from_stored(_entry(archive, name)) for name in archive.files}
            manifest = _read_manifest(_entry(archive, MANIFEST))
            return _rebuild(manifest["tree"], archive)
        except ValueError as error:
            if "allow_pickle" in str(error) or "Object arrays" in str(error):
                raise ValueError(
                    f"{path!r} holds an object (pickled) array; minigrad never unpickles, so it cannot load this file"
                ) from error
            raise ValueError(f"cannot load {path!r}: {error}") from error
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, TypeError) as error:
            raise ValueError(f"cannot load {path!r}, the archive is damaged: {error!r}") from error


# --- saving -------------------------------------------------------------------------------


def _flatten(value, keys, entries):
    """The manifest node for ``value``; its arrays go into ``entries`` under path names."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    f"cannot save key {key!r} (a {type(key).__name__}) at {_describe(keys)}: keys must be str or int"
                )
            items.append([key, _flatten(item, keys + [key], entries)])
        return {"type": "dict", "items": items}
    if isinstance(value, (list, tuple)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        if _is_number_list(value):
            return {"type": kind, "array": _add_entry(np.array(value), keys, entries)}
        items = [_flatten(item, keys + [index], entries) for index, item in enumerate(value)]
        return {"type": kind, "items": items}
    if value is None:
        return {"type": "none"}
    return {"type": "array", "name": _add_entry(_as_storable_array(value, keys), keys, entries)}


def _is_number_list(values):
    """True for a non-empty list whose items are all ints, all floats or all bools (exact types)."""
    kinds = {type(item) for item in values}
    return len(kinds) == 1 and kinds.pop() in (int, float, bool)


def _as_storable_array(value, keys):
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, (np.ndarray, np.generic, int, float, complex, bool, str, bytes)):
        raise TypeError(
            f"cannot save a {type(value).__name__} at {_describe(keys)}: "
            "values must be arrays, Tensors, numbers, strings, None, or dicts/lists of them"
        )
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(
            f"cannot save the object array at {_describe(keys)} without pickling it "
            f"(got {value!r:.80}); convert it to a numeric array"
        )
    return array


def _add_entry(array, keys, entries):
    """Store ``array`` under its path name (made unique if two paths read the same), return the name."""
    if array.dtype == object:
        raise TypeError(f"cannot save the values at {_describe(keys)}: integers too large for int64")
    base = "/".join(str(key) for key in keys) or "value"
    name, copy = base, 1
    while name in entries or name == MANIFEST:
        name, copy = f"{base}~{copy}", copy + 1
    entries[name] = array
    return name


def _write_npz(file, entries, manifest):
    """Write the entries and the manifest as an uncompressed .npz into an open binary file."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in [(MANIFEST, np.array(manifest))] + list(entries.items()):
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _describe(keys):
    return "the top level" if not keys else "key path " + "/".join(repr(key) for key in keys)


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


# --- loading ------------------------------------------------------------------------------


def _read_manifest(entry):
    manifest = json.loads(str(entry.item()))  # a bad one raises ValueError, reported with the path
    if not isinstance(manifest, dict) or manifest.get("format") != "minigrad" or "tree" not in manifest:
        raise ValueError(f"its entry {MANIFEST!r} is not a minigrad manifest")
    if manifest.get("version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"it was written by a newer minigrad (format version {manifest['version']}, "
            f"this one reads up to {FORMAT_VERSION})"
        )
    return manifest


def _rebuild(node, archive):
    """The value a manifest node describes, reading its arrays from the archive."""
    kind = node.get("type") if isinstance(node, dict) else None
    if kind == "dict":
        return {key: _rebuild(item, archive) for key, item in node["items"]}
    if kind in ("list", "tuple"):
        if "array" in node:
            items = _entry(archive, node["array"]).tolist()
        else:
            items = [_rebuild(item, archive) for item in node["items"]]
        return tuple(items) if kind == "tuple" else items
    if kind == "none":
        return None
    if kind == "array":
        return _from_stored(_entry(archive, node["name"]))
    raise ValueError(f"its manifest has a node minigrad does not know: {node!r:.80}")


def _entry(archive, name):
    """One array of the archive, by name (np.load hands back raw bytes for a non-.npy member)."""
    if name not in archive.files:
        raise ValueError(f"it is missing the entry {name!r} that its manifest names")
    array = archive[name]
    if not isinstance(array, np.ndarray):
        raise ValueError(f"its member {name!r} is not a NumPy array")
    return array


def _from_stored(array):
    """0-d arrays as Python numbers (or str); other arrays unchanged."""
    return array.item() if array.ndim == 0 else array
