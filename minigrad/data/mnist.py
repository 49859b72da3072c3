"""load_mnist: read MNIST's IDX files from a folder, downloading them on request.

The IDX format is a big-endian header followed by raw bytes:

    magic number   4 bytes   0x00 0x00, the element type (0x08 = unsigned byte),
                             the number of dimensions (3 for images, 1 for labels)
    dimensions     4 bytes each (images: count, rows, columns; labels: count)
    data           one unsigned byte per element, row-major

so an image file starts with 2051 (0x00000803) and a label file with 2049 (0x00000801).
``write_idx`` writes such files and ``write_synthetic_mnist`` a tiny learnable stand-in for
MNIST, for tests and examples that must not download anything.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from .download import download_file

UBYTE_TYPE = 0x08  # the IDX type byte of unsigned bytes, the only type MNIST uses
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
IMAGE_SHAPE = (28, 28)

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# SHA-256 of the four original gzipped files, as the mirrors above serve them.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


def mnist_file_names(train: bool = True) -> tuple[str, str]:
    """The (images, labels) file names of the training or the test split, without .gz."""
    prefix = "train" if train else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def find_mnist_file(root: str | os.PathLike[str], name: str) -> str:
    """The path of ``name`` or ``name.gz`` in ``root`` (plain preferred), or raise."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(root, candidate)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"MNIST file {name} (or {name}.gz) not found in {root}; pass download=True to fetch it")


def _read_bytes(path):
    """The bytes of ``path``, decompressed when its name ends in .gz."""
    if not path.endswith(".gz"):
        with open(path, "rb") as handle:
            return handle.read()
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(
            f"{path} is not a complete gzip file ({error}); delete it and pass download=True to fetch a fresh copy"
        ) from error


def read_idx(path: str | os.PathLike[str], magic: int | None = None) -> np.ndarray:
    """Read an unsigned-byte IDX file (plain, or gzipped when its name ends in .gz).

    Returns a uint8 array shaped as the header says. ``magic`` is the number the header
    must start with (2051 for MNIST images, 2049 for labels); ``None`` accepts any
    unsigned-byte IDX file (``00 00 08`` then the number of axes). Raises ``ValueError``
    naming the file when the magic number is wrong or the data is shorter or longer than
    the header promises.
    """
    path = os.fspath(path)
    data = _read_bytes(path)
    fix = "delete it and pass download=True to fetch a fresh copy"
    if len(data) < 4:
        raise ValueError(f"{path} is truncated: {len(data)} bytes, too short for an IDX header; {fix}")
    found = int.from_bytes(data[:4], "big")
    if magic is None and found >> 8 != UBYTE_TYPE:
        raise ValueError(
            f"{path} starts with the bytes {data[:4].hex(' ')}, not an unsigned-byte IDX header "
            f"(00 00 08 and the number of axes); it is not an IDX file or it is corrupt"
        )
    if magic is not None and found != magic:
        raise ValueError(
            f"{path} has magic number {found}, expected {magic}; it is not "
            f"the IDX file it should be or it is corrupt; {fix}"
        )
    n_dims = found & 0xFF
    header_bytes = 4 + 4 * n_dims
    if len(data) < header_bytes:
        raise ValueError(f"{path} is truncated: {len(data)} bytes, but its header alone takes {header_bytes}; {fix}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    expected = int(np.prod(shape))
    found_bytes = len(data) - header_bytes
    if found_bytes < expected:
        raise ValueError(
            f"{path} is truncated: its header promises shape {shape} "
            f"({expected} bytes of data) but it holds {found_bytes}; {fix}"
        )
    if found_bytes > expected:
        raise ValueError(
            f"{path} is corrupt: its header promises shape {shape} "
            f"({expected} bytes of data) but it holds {found_bytes}; {fix}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_bytes).reshape(shape)


def idx_bytes(array: ArrayLike, magic: int | None = None) -> bytes:
    """The IDX encoding of ``array``: the magic number, one 4-byte size per axis, one byte per value.

    ``array`` must hold whole numbers from 0 to 255 (any integer, bool or float dtype) and
    have from 1 to 255 axes. ``magic`` defaults to the right number for an unsigned-byte
    array with that many axes (2051 for ``(n, rows, columns)`` images, 2049 for ``(n,)``
    labels); pass another only to build a deliberately broken file.
    """
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"an IDX file holds bytes 0..255; got an array of dtype {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"an IDX file holds an array of 1 to 255 axes; got shape {array.shape}")
    if array.size:
        low, high = array.min(), array.max()
        if low < 0 or high > 255:
            bad = low if low < 0 else high
            raise ValueError(f"an IDX file holds bytes 0..255; the array holds {bad}")
        if array.dtype.kind == "f" and not np.array_equal(array, np.round(array)):
            raise ValueError("an IDX file holds whole numbers 0..255; the float array holds fractions")
    if magic is None:
        magic = (UBYTE_TYPE << 8) | array.ndim
    header = int(magic).to_bytes(4, "big") + b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: str | os.PathLike[str], array: ArrayLike, magic: int | None = None) -> str:
    """Write ``array`` (whole numbers 0..255) to ``path`` as an IDX file and return the path as a str.

    The file is gzipped when ``path`` ends in ``.gz`` (with a zero timestamp, so the same
    array always gives the same bytes). ``read_idx(write_idx(path, a))`` equals ``a`` as
    uint8. See ``idx_bytes`` for ``magic``.
    """
    path = os.fspath(path)
    data = idx_bytes(array, magic)
    if path.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def synthetic_mnist(n: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` learnable stand-ins for MNIST digits: ``(images uint8 (n, 28, 28), labels uint8 (n,))``.

    Each image is dim noise (0..63) with a bright 4x4 square (255) at one of ten places
    set by its label (row ``label // 5``, column ``label % 5`` of a grid), so a small
    model can learn the labels. The same ``n`` and ``seed`` always give the same arrays.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    images = rng.integers(0, 64, size=(n, *IMAGE_SHAPE)).astype(np.uint8)
    for index, label in enumerate(labels.tolist()):
        top, left = 5 + 12 * (label // 5), 2 + 5 * (label % 5)  # ten places that do not overlap
        images[index, top : top + 4, left : left + 4] = 255
    return images, labels


def write_synthetic_mnist(
    root: str | os.PathLike[str], n: int = 10, train: bool = True, gz: bool = False, seed: int = 0
) -> None:
    """Write a tiny MNIST split from ``synthetic_mnist(n, seed)`` into the folder ``root``.

    The files get the names ``load_mnist(root, train)`` reads (``train-*`` or ``t10k-*``),
    with ``.gz`` appended when ``gz``; ``root`` is created if needed. Returns the
    ``(images, labels)`` written, as uint8 arrays, so a test can compare what it loads.
    """
    root = os.fspath(root)
    os.makedirs(root, exist_ok=True)
    images, labels = synthetic_mnist(n, seed)
    suffix = ".gz" if gz else ""
    image_name, label_name = mnist_file_names(train)
    write_idx(os.path.join(root, image_name + suffix), images)
    write_idx(os.path.join(root, label_name + suffix), labels)
    return images, labels


def _download_missing(root, names, base_url, checksums, timeout):
    """Fetch ``name.gz`` for every name in ``names`` that is not in ``root`` already."""
    table = MNIST_SHA256 if checksums is None else checksums
    sources = MNIST_MIRRORS if base_url is None else (base_url,)
    missing = [
        name + ".gz"
        for name in names
        if not os.path.isfile(os.path.join(root, name)) and not os.path.isfile(os.path.join(root, name + ".gz"))
    ]
    # Check every checksum first, so nothing is fetched that could not be verified.
    for gz_name in missing:
        if gz_name not in table:
            raise ValueError(
                f"no SHA-256 known for {gz_name}, so it cannot be verified; checksums has entries for {sorted(table)}"
            )
    for gz_name in missing:
        urls = [source.rstrip("/") + "/" + gz_name for source in sources]
        download_file(urls, os.path.join(root, gz_name), table[gz_name], timeout=timeout)


def load_mnist(
    root: str | os.PathLike[str],
    train: bool = True,
    download: bool = False,
    base_url: str | None = None,
    checksums: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST from the IDX files in ``root``: ``(X float32 (N, 784) in [0, 1], y int64 (N,))``.

    ``train`` picks the 60,000 training images (``train-*``) or the 10,000 test images
    (``t10k-*``). Each file may be plain or gzipped (``.gz``) and must sit directly in
    ``root``. A missing file raises ``FileNotFoundError``; a corrupt or truncated one
    raises ``ValueError``; both name the file.

    With ``download=True``, missing files are fetched (as .gz) into ``root`` from
    ``base_url`` if given, else from the mirrors in ``MNIST_MIRRORS``, and kept only if
    their SHA-256 matches ``checksums`` (a mapping ``"name.gz" -> sha256``; by default the
    digests of the real files in ``MNIST_SHA256``). Files already present are not fetched
    again. ``timeout`` is in seconds, per request.
    """
    root = os.fspath(root)
    image_name, label_name = mnist_file_names(train)
    if download:
        _download_missing(root, (image_name, label_name), base_url, checksums, timeout)

    image_path = find_mnist_file(root, image_name)
    label_path = find_mnist_file(root, label_name)
    images = read_idx(image_path, IMAGES_MAGIC)
    labels = read_idx(label_path, LABELS_MAGIC)
    if images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{image_path} holds images of size {images.shape[1:]}, expected MNIST's {IMAGE_SHAPE}")
    if len(images) != len(labels):
        raise ValueError(
            f"{image_path} holds {len(images)} images but {label_path} holds "
            f"{len(labels)} labels; the two files must come from the same split"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{label_path} is corrupt: it holds label {labels.max()}, but MNIST labels are 0..9")

    X = images.reshape(len(images), -1).astype(np.float32)
    X /= 255.0
    return X, labels.astype(np.int64)
