"""load_names: the shipped names file decompresses to the exact bytes of the published list."""

import gzip
import hashlib
from importlib import resources

from minigrad.data import load_names

NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"  # /work/shared/data/README.md


def shipped_bytes():
    with resources.files("minigrad.data").joinpath("names.txt.gz").open("rb") as raw:
        return gzip.decompress(raw.read())


def test_shipped_file_is_the_published_list_byte_for_byte():
    data = shipped_bytes()
    assert len(data) == 228145
    assert hashlib.sha256(data).hexdigest() == NAMES_SHA256


def test_load_names_returns_the_lines_in_order():
    names = load_names()
    assert isinstance(names, list) and len(names) == 32033
    assert names[:3] == ["emma", "olivia", "ava"] and names[-1] == "zzyzx"
    assert "\n".join(names).encode("ascii") == shipped_bytes()  # nothing dropped, added or reordered
    assert all(type(name) is str and name.isascii() and name.isalpha() and name.islower() for name in names)
    assert sorted({character for name in names for character in name}) == list("abcdefghijklmnopqrstuvwxyz")


def test_each_call_returns_a_new_list():
    first = load_names()
    first.clear()
    assert len(load_names()) == 32033


def test_the_licence_note_sits_beside_the_file():
    note = resources.files("minigrad.data").joinpath("DATA_LICENSE.txt").read_text(encoding="utf-8")
    section = " ".join(note[note.index("names.txt.gz") : note.index("MNIST")].split())  # one line of words
    for words in ("Social Security", "public domain", "makemore", "MIT", "Andrej Karpathy", NAMES_SHA256):
        assert words in section
