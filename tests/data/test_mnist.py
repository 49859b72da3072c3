"""load_mnist: IDX parsing of generated files, every corruption case, and downloads from
a local HTTP server on 127.0.0.1 (no other network)."""

import gzip
import hashlib
import http.server
import os
import re
import threading

import numpy as np
import pytest

import minigrad.data.mnist as mnist
from minigrad.data import DownloadError, load_mnist, read_idx, write_idx
from minigrad.data.download import download_file
from minigrad.data.mnist import idx_bytes, synthetic_mnist, write_synthetic_mnist

IMAGES, LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"


# Building IDX files: minigrad.data.mnist's own writers, plus raw bytes for broken files


def random_split(n=5, seed=0):
    """Images (n, 28, 28) and labels (n,) as uint8 arrays, from the shared synthetic writer."""
    return synthetic_mnist(n, seed)


def write(path, data, gz=False):
    """Write raw bytes to ``path`` (gzipped, with ``.gz`` appended, when ``gz``)."""
    path = str(path)
    if gz:
        with gzip.open(path + ".gz", "wb") as handle:
            handle.write(data)
    else:
        with open(path, "wb") as handle:
            handle.write(data)


def write_split(root, n=5, train=True, gz=False, seed=0):
    """Write one split's image and label files into ``root``; return the arrays."""
    return write_synthetic_mnist(root, n=n, train=train, gz=gz, seed=seed)


def check_loaded(X, y, images, labels):
    assert X.shape == (len(images), 784) and X.dtype == np.float32
    assert y.shape == (len(labels),) and y.dtype == np.int64
    np.testing.assert_allclose(X, images.reshape(len(images), 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    assert X.min() >= 0.0 and X.max() == 1.0  # every synthetic image has a 255 square


# Reading


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_reads_plain_and_gzipped_files(tmp_path, gz):
    images, labels = write_split(tmp_path, n=6, gz=gz)
    X, y = load_mnist(tmp_path)
    check_loaded(X, y, images, labels)


def test_reads_the_test_split(tmp_path):
    write_split(tmp_path, n=4, train=True, seed=0)
    images, labels = write_split(tmp_path, n=3, train=False, seed=1)
    X, y = load_mnist(tmp_path, train=False)
    check_loaded(X, y, images, labels)


def test_accepts_one_file_plain_and_the_other_gzipped(tmp_path):
    images, labels = random_split(4)
    write(tmp_path / IMAGES, idx_bytes(images, 2051), gz=True)
    write(tmp_path / LABELS, idx_bytes(labels, 2049), gz=False)
    check_loaded(*load_mnist(str(tmp_path)), images, labels)


def test_read_idx_returns_the_shape_in_the_header(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write(tmp_path / "small", idx_bytes(array, 2051))
    np.testing.assert_array_equal(read_idx(str(tmp_path / "small"), 2051), array)


# Writing IDX files


@pytest.mark.parametrize("name", ["labels", "images.gz"])
@pytest.mark.parametrize(
    "array",
    [
        np.array([3, 0, 255, 7], dtype=np.uint8),
        np.arange(24, dtype=np.int64).reshape(2, 3, 4) * 10,
        np.array([[True, False]]),
        np.array([[0.0, 255.0], [17.0, 1.0]]),
        np.zeros((2, 0, 3), dtype=np.uint8),
    ],
    ids=["uint8-1d", "int64-3d", "bool-2d", "whole-floats", "empty-axis"],
)
def test_write_idx_round_trips_through_read_idx(tmp_path, array, name):
    path = write_idx(tmp_path / name, array)
    assert path == str(tmp_path / name)
    back = read_idx(path)
    assert back.dtype == np.uint8 and back.shape == array.shape
    np.testing.assert_array_equal(back, array.astype(np.uint8))
    assert read_idx(path, 0x0800 + array.ndim).shape == array.shape


def test_write_idx_bytes_follow_the_format_by_hand(tmp_path):
    labels = np.array([7, 2, 255], dtype=np.uint8)
    expected = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 255])  # magic 2049, one size (3), the bytes
    write_idx(tmp_path / "plain", labels)
    assert (tmp_path / "plain").read_bytes() == expected
    write_idx(tmp_path / "packed.gz", labels)
    assert gzip.decompress((tmp_path / "packed.gz").read_bytes()) == expected
    first = (tmp_path / "packed.gz").read_bytes()
    write_idx(tmp_path / "packed.gz", labels)
    assert (tmp_path / "packed.gz").read_bytes() == first  # no timestamp: same array, same bytes
    images = np.zeros((2, 3, 4), dtype=np.uint8)
    assert idx_bytes(images)[:16] == bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
    assert int.from_bytes(idx_bytes(images)[:4], "big") == mnist.IMAGES_MAGIC


@pytest.mark.parametrize(
    "array, error, words",
    [
        (np.array([1, 256]), ValueError, "256"),
        (np.array([-1, 3]), ValueError, "-1"),
        (np.array([0.5, 1.0]), ValueError, "fractions"),
        (np.array(["a"]), TypeError, "<U1"),
        (np.array(5, dtype=np.uint8), ValueError, "shape ()"),
    ],
    ids=["too-big", "negative", "fraction", "strings", "0-d"],
)
def test_write_idx_refuses_what_an_idx_file_cannot_hold(tmp_path, array, error, words):
    with pytest.raises(error, match=re.escape(words)):
        write_idx(tmp_path / "bad", array)
    assert not (tmp_path / "bad").exists()


def test_read_idx_without_magic_refuses_a_file_that_is_not_unsigned_bytes(tmp_path):
    (tmp_path / "floats").write_bytes(bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + b"\x00" * 4)  # 0x0D: float32 IDX
    with pytest.raises(ValueError, match=r"floats.*00 00 0d 01.*not an unsigned-byte IDX"):
        read_idx(tmp_path / "floats")


def test_synthetic_mnist_is_repeatable_and_its_labels_can_be_read_off_the_images():
    images, labels = synthetic_mnist(200, seed=3)
    again, again_labels = synthetic_mnist(200, seed=3)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, again_labels)
    assert images.shape == (200, 28, 28) and images.dtype == np.uint8 and labels.dtype == np.uint8
    assert set(labels.tolist()) == set(range(10))
    assert images.max() == 255 and np.all(images[images != 255] < 64)
    for image, label in zip(images, labels.tolist(), strict=True):
        rows, columns = np.nonzero(image == 255)
        assert rows.min() == 5 + 12 * (label // 5) and rows.max() == rows.min() + 3
        assert columns.min() == 2 + 5 * (label % 5) and columns.max() == columns.min() + 3
        assert len(rows) == 16


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_write_synthetic_mnist_writes_the_files_load_mnist_reads(tmp_path, gz):
    root = tmp_path / "made" / "here"
    images, labels = write_synthetic_mnist(root, n=7, train=False, gz=gz, seed=2)
    suffix = ".gz" if gz else ""
    assert sorted(os.listdir(root)) == [TEST_IMAGES + suffix, TEST_LABELS + suffix]
    check_loaded(*load_mnist(root, train=False), images, labels)


def test_missing_file_raises_file_not_found_naming_it(tmp_path):
    images, _ = random_split()
    write(tmp_path / IMAGES, idx_bytes(images, 2051))
    with pytest.raises(FileNotFoundError, match=LABELS) as info:
        load_mnist(tmp_path)
    assert "download=True" in str(info.value)


def test_missing_folder_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=IMAGES):
        load_mnist(tmp_path / "nowhere")


def corrupt_cases():
    """(name, file to break, bytes to put there, words the message must contain)."""
    images, labels = random_split(5)
    good_images, good_labels = idx_bytes(images, 2051), idx_bytes(labels, 2049)
    return [
        ("bad image magic", IMAGES, idx_bytes(images, 2049), ["magic", "2049", "2051"]),
        ("bad label magic", LABELS, idx_bytes(labels, 2051), ["magic", "2051", "2049"]),
        ("truncated images", IMAGES, good_images[:-100], ["truncated"]),
        ("truncated labels", LABELS, good_labels[:-1], ["truncated"]),
        ("truncated header", IMAGES, good_images[:10], ["truncated", "header"]),
        ("empty file", LABELS, b"", ["truncated"]),
        ("extra bytes", IMAGES, good_images + b"\x00" * 7, ["corrupt"]),
        ("label out of range", LABELS, idx_bytes(np.array([1, 2, 12, 3, 4]), 2049), ["12", "0..9"]),
        ("wrong image size", IMAGES, idx_bytes(np.zeros((5, 10, 10)), 2051), ["(10, 10)", "(28, 28)"]),
    ]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("case", corrupt_cases(), ids=lambda case: case[0])
def test_corrupt_file_raises_value_error_naming_it(tmp_path, case, gz):
    _, broken_name, broken_bytes, words = case
    write_split(tmp_path, n=5, gz=gz)
    os.remove(tmp_path / (broken_name + (".gz" if gz else "")))
    write(tmp_path / broken_name, broken_bytes, gz=gz)
    with pytest.raises(ValueError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert broken_name in message
    for word in words:
        assert word in message


def test_image_and_label_counts_must_agree(tmp_path):
    images, labels = random_split(5)
    write(tmp_path / IMAGES, idx_bytes(images, 2051))
    write(tmp_path / LABELS, idx_bytes(labels[:4], 2049))
    with pytest.raises(ValueError, match="5 images") as info:
        load_mnist(tmp_path)
    assert IMAGES in str(info.value) and LABELS in str(info.value)
    assert "4 labels" in str(info.value)


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_gzip_raises_value_error_naming_it(tmp_path, cut):
    write_split(tmp_path, n=5, gz=True)
    path = tmp_path / (IMAGES + ".gz")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(ValueError, match=re.escape(IMAGES + ".gz")):
        load_mnist(tmp_path)


def test_gz_name_that_is_not_gzip_raises_value_error(tmp_path):
    images, labels = random_split(5)
    (tmp_path / (IMAGES + ".gz")).write_bytes(idx_bytes(images, 2051))
    write(tmp_path / LABELS, idx_bytes(labels, 2049))
    with pytest.raises(ValueError, match="gzip"):
        load_mnist(tmp_path)


# Downloading from a local server


class LocalServer:
    """An HTTP server on 127.0.0.1 serving ``files`` (URL path -> bytes).

    Paths in ``truncated`` announce their full length but send only half the bytes.
    Every GET is recorded in ``requests``.
    """

    def __init__(self):
        self.files = {}
        self.truncated = set()
        self.requests = []
        state = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                state.requests.append(self.path)
                body = state.files.get(self.path)
                if body is None:
                    self.send_error(404, "not here")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in state.truncated:
                    body = body[: len(body) // 2]
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def serve(self, path, data):
        """Serve ``data`` at ``path`` and return its SHA-256."""
        self.files[path] = data
        return hashlib.sha256(data).hexdigest()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server(monkeypatch):
    # Never route the loopback requests through a proxy from the environment.
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    local = LocalServer()
    yield local
    local.close()


def gz_bytes(data):
    return gzip.compress(data, mtime=0)


def serve_split(server, prefix="/mnist/", n=5, seed=0):
    """Serve gzipped train files under ``prefix``; return (images, labels, checksums)."""
    images, labels = random_split(n, seed)
    checksums = {
        IMAGES + ".gz": server.serve(prefix + IMAGES + ".gz", gz_bytes(idx_bytes(images, 2051))),
        LABELS + ".gz": server.serve(prefix + LABELS + ".gz", gz_bytes(idx_bytes(labels, 2049))),
    }
    return images, labels, checksums


def test_download_fetches_verifies_and_loads(tmp_path, server):
    images, labels, checksums = serve_split(server)
    root = tmp_path / "new" / "mnist"  # created on demand
    X, y = load_mnist(root, download=True, base_url=server.url + "/mnist/", checksums=checksums)
    check_loaded(X, y, images, labels)
    assert sorted(os.listdir(root)) == [IMAGES + ".gz", LABELS + ".gz"]
    assert sorted(server.requests) == ["/mnist/" + IMAGES + ".gz", "/mnist/" + LABELS + ".gz"]


def test_base_url_without_trailing_slash_works(tmp_path, server):
    images, labels, checksums = serve_split(server)
    X, y = load_mnist(tmp_path, download=True, base_url=server.url + "/mnist", checksums=checksums)
    check_loaded(X, y, images, labels)


def test_present_files_are_not_fetched_again(tmp_path, server):
    images, labels, checksums = serve_split(server)
    base_url = server.url + "/mnist/"
    load_mnist(tmp_path, download=True, base_url=base_url, checksums=checksums)
    assert len(server.requests) == 2
    X, y = load_mnist(tmp_path, download=True, base_url=base_url, checksums=checksums)
    assert len(server.requests) == 2
    check_loaded(X, y, images, labels)


def test_a_plain_file_already_there_is_not_fetched(tmp_path, server):
    images, labels, checksums = serve_split(server)
    write(tmp_path / IMAGES, idx_bytes(images, 2051))
    load_mnist(tmp_path, download=True, base_url=server.url + "/mnist/", checksums=checksums)
    assert server.requests == ["/mnist/" + LABELS + ".gz"]


def test_only_the_requested_split_is_fetched(tmp_path, server):
    images, labels = random_split(3)
    checksums = {
        TEST_IMAGES + ".gz": server.serve("/" + TEST_IMAGES + ".gz", gz_bytes(idx_bytes(images, 2051))),
        TEST_LABELS + ".gz": server.serve("/" + TEST_LABELS + ".gz", gz_bytes(idx_bytes(labels, 2049))),
    }
    X, y = load_mnist(tmp_path, train=False, download=True, base_url=server.url, checksums=checksums)
    check_loaded(X, y, images, labels)
    assert all("t10k" in path for path in server.requests)


def test_checksum_mismatch_is_refused_and_leaves_no_file(tmp_path, server):
    _, _, checksums = serve_split(server)
    checksums[IMAGES + ".gz"] = "0" * 64
    with pytest.raises(DownloadError, match="SHA-256 mismatch") as info:
        load_mnist(tmp_path, download=True, base_url=server.url + "/mnist/", checksums=checksums)
    assert IMAGES + ".gz" in str(info.value)
    assert os.listdir(tmp_path) == []  # images were fetched first: nothing kept at all


def test_truncated_response_leaves_no_partial_file(tmp_path, server):
    _, _, checksums = serve_split(server)
    server.truncated.add("/mnist/" + LABELS + ".gz")
    with pytest.raises(DownloadError, match="truncated") as info:
        load_mnist(tmp_path, download=True, base_url=server.url + "/mnist/", checksums=checksums)
    assert LABELS + ".gz" in str(info.value)
    # The images file, complete and verified, stays; nothing of the labels does.
    assert os.listdir(tmp_path) == [IMAGES + ".gz"]


def test_http_error_names_the_file_and_the_status(tmp_path, server):
    with pytest.raises(DownloadError, match="404") as info:
        load_mnist(tmp_path, download=True, base_url=server.url + "/empty/")
    assert IMAGES + ".gz" in str(info.value)
    assert os.listdir(tmp_path) == []


def test_mirrors_are_tried_in_order_until_one_works(tmp_path, server, monkeypatch):
    images, labels, checksums = serve_split(server, prefix="/good/")
    server.serve("/bad/" + IMAGES + ".gz", b"not the right bytes")
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (server.url + "/bad/", server.url + "/good/"))
    X, y = load_mnist(tmp_path, download=True, checksums=checksums)
    check_loaded(X, y, images, labels)
    assert server.requests == [
        "/bad/" + IMAGES + ".gz",
        "/good/" + IMAGES + ".gz",
        "/bad/" + LABELS + ".gz",
        "/good/" + LABELS + ".gz",
    ]
    assert sorted(os.listdir(tmp_path)) == [IMAGES + ".gz", LABELS + ".gz"]


def test_every_mirror_failing_is_reported_per_mirror(tmp_path, server, monkeypatch):
    server.serve("/a/" + IMAGES + ".gz", b"wrong")
    server.serve("/b/" + IMAGES + ".gz", b"also wrong")
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (server.url + "/a/", server.url + "/b/"))
    with pytest.raises(DownloadError) as info:
        load_mnist(tmp_path, download=True, checksums={IMAGES + ".gz": "0" * 64, LABELS + ".gz": "0" * 64})
    message = str(info.value)
    assert IMAGES + ".gz" in message
    assert message.count("SHA-256 mismatch") == 2
    assert os.listdir(tmp_path) == []


def test_a_file_without_a_known_checksum_is_not_fetched(tmp_path, server):
    with pytest.raises(ValueError, match=LABELS):
        load_mnist(tmp_path, download=True, base_url=server.url, checksums={IMAGES + ".gz": "0" * 64})
    assert server.requests == []


def test_failed_download_keeps_an_existing_file_intact(tmp_path, server):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old contents")
    server.serve("/file.bin", b"new contents")
    with pytest.raises(DownloadError):
        download_file([server.url + "/file.bin"], target, "0" * 64)
    assert target.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["file.bin"]
    digest = hashlib.sha256(b"new contents").hexdigest()
    download_file([server.url + "/file.bin"], target, digest.upper())
    assert target.read_bytes() == b"new contents"


def test_without_download_the_network_is_never_used(tmp_path, server):
    serve_split(server)
    with pytest.raises(FileNotFoundError):
        load_mnist(tmp_path, base_url=server.url + "/mnist/")
    assert server.requests == []


def test_default_checksum_table_covers_the_four_files():
    assert sorted(mnist.MNIST_SHA256) == sorted(name + ".gz" for name in (IMAGES, LABELS, TEST_IMAGES, TEST_LABELS))
    for digest in mnist.MNIST_SHA256.values():
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
