"""load_names: the 32,033 lowercase first names that ship inside minigrad."""

from __future__ import annotations

import gzip
from importlib import resources

NAMES_FILE = "names.txt.gz"
N_NAMES = 32033


def load_names() -> list[str]:
    """The 32,033 lowercase first names (a-z only), as a list of str in the file's order.

    The list the makemore examples use: the most common given names in the US Social
    Security Administration's baby-name records, one per line. A character-level model
    sees 27 symbols (a-z and an end marker), so a model that knows nothing scores
    ln 27 = 3.2958 nats per character. See DATA_LICENSE.txt beside this file for the
    origin and licence. Every call reads the file again and returns a new list.
    """
    with resources.files(__package__).joinpath(NAMES_FILE).open("rb") as raw:
        with gzip.open(raw, "rb") as unpacked:
            text = unpacked.read().decode("ascii")
    names = text.split("\n")
    if len(names) != N_NAMES or not all(name.isalpha() and name.islower() for name in names):
        raise RuntimeError(
            f"{NAMES_FILE} in minigrad's install should hold {N_NAMES} lowercase names, one a line; "
            f"found {len(names)} lines; reinstall minigrad"
        )
    return names
