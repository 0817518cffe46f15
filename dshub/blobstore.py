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
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
            if digest.hexdigest() != sha256:
                raise BlobMismatch(f"the content does not hash to {sha256}")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return size
