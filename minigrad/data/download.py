"""download_file: fetch one file over HTTP(S), check its SHA-256, and write it atomically.

Only the standard library (urllib) is used. The bytes go to a temporary file in the
destination's folder and are moved into place with ``os.replace`` only once they are
complete and their checksum matches, so a failed or interrupted download never leaves a
partial or unverified file under the real name.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.request
from collections.abc import Iterable

CHUNK_BYTES = 1 << 20
USER_AGENT = "minigrad (python urllib)"


class DownloadError(OSError):
    """No source gave the file intact (every URL failed or served the wrong bytes)."""


def sha256_of_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, as a lowercase hex string."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(urls: Iterable[str], path: str | os.PathLike[str], sha256: str, timeout: float = 30.0) -> None:
    """Save the first of ``urls`` whose bytes have SHA-256 ``sha256`` at ``path``.

    URLs are tried in order; a network error, a short response or a checksum mismatch
    moves on to the next one. Raises ``DownloadError`` naming the file and what went
    wrong at each URL when none works. Returns ``path``.
    """
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    problems = []
    for url in urls:
        try:
            _fetch_verified(url, path, sha256.lower(), timeout)
            return path
        except (OSError, ValueError, http.client.HTTPException) as error:
            problems.append(f"{url}: {error}")
    if not problems:
        raise DownloadError(f"no URL given to download {os.path.basename(path)} from")
    raise DownloadError(
        f"could not download {os.path.basename(path)} intact into {folder}; tried:\n  " + "\n  ".join(problems)
    )


def _fetch_verified(url, path, sha256, timeout):
    """Download ``url`` to a temporary file beside ``path``; keep it only if it checks out."""
    folder, name = os.path.split(path)
    handle, temp_path = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".part")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        # urllib returns a short body without complaint when the server hangs up early.
        if announced is not None and received != int(announced):
            raise ValueError(f"truncated response: got {received} of {announced} bytes")
        if digest.hexdigest() != sha256:
            raise ValueError(f"SHA-256 mismatch: expected {sha256}, got {digest.hexdigest()} ({received} bytes)")
        os.chmod(temp_path, 0o644)
        os.replace(temp_path, path)
    finally:
        if os.path.exists(temp_path):
            os.remove(temp_path)
