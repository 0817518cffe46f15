"""Content-addressed blobs on disk: DATA_DIR/blobs/<sha256[:2]>/<sha256>."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobMismatch(ValueError):
    pass


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, sha256: str, chunks: Iterable[bytes]) -> int:
        """Store the bytes if they hash to sha256; returns the size. Never leaves a partial blob."""
        with self.writer(sha256) as writer:
            for chunk in chunks:
                writer.write(chunk)
        return writer.size

    def writer(self, sha256: str) -> BlobWriter:
        return BlobWriter(self.path(sha256))

    def anonymous_writer(self) -> AnonymousBlobWriter:
        return AnonymousBlobWriter(self.root)


class BlobWriter:
    """Writes a blob chunk by chunk (flat memory), hashing as it goes.

    On leaving the ``with`` block the blob is in place if, and only if, it
    hashed to its name; otherwise BlobMismatch, and nothing is left behind.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def __enter__(self) -> BlobWriter:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=self.target.parent, prefix=".upload-")
        self.file = os.fdopen(fd, "wb")
        return self

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.size += len(chunk)
        self.file.write(chunk)

    def __exit__(self, exc_type, exc, tb) -> None:
        self.file.close()
        try:
            if exc_type is None:
                if self.digest.hexdigest() != self.target.name:
                    raise BlobMismatch(f"the content does not hash to {self.target.name}")
                os.replace(self.tmp, self.target)
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)


class AnonymousBlobWriter(BlobWriter):
    """Writes content whose hash is not known yet; it is named by its sha256 on close."""

    def __init__(self, root: Path) -> None:
        super().__init__(root / "incoming" / "x")
        self.root = root
        self.sha256 = ""

    def __exit__(self, exc_type, exc, tb) -> None:
        self.file.close()
        try:
            if exc_type is None:
                self.sha256 = self.digest.hexdigest()
                final = self.root / self.sha256[:2] / self.sha256
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.tmp, final)
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)
