"""Scan a local directory into a manifest: relative path -> sha256, size, mode, mtime.

Files are hashed in 1 MiB chunks, so memory stays flat whatever their size.
Symlinks are followed only when they point inside the directory; one that
points outside is skipped with a warning. An unreadable file is an error that
names it (before anything is uploaded).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dscli.errors import UsageError
from dscli.workspace import ignore

CHUNK = 1 << 20


@dataclass(frozen=True)
class Entry:
    path: Path  # on disk
    sha256: str
    size: int
    mode: int
    mtime: float

    def api(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "mode": self.mode, "mtime": self.mtime}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan(top: str | os.PathLike, warn: Callable[[str], None]) -> dict[str, Entry]:
    root = Path(top)
    if not root.exists():
        raise UsageError(f"-u {top}: no such directory")
    if not root.is_dir():
        raise UsageError(f"-u {top}: not a directory")
    real_root = root.resolve()
    manifest: dict[str, Entry] = {}
    seen_dirs: set[Path] = set()

    def inside(path: Path) -> bool:
        real = path.resolve()
        return real == real_root or real_root in real.parents

    def walk(directory: Path, rel: str, rules: list[ignore.Rule]) -> None:
        real = directory.resolve()
        if real in seen_dirs:  # a symlink loop inside the tree
            return
        seen_dirs.add(real)
        ignore_file = directory / ignore.IGNORE_FILE
        if ignore_file.is_file():
            try:
                rules = rules + ignore.parse(ignore_file.read_text(encoding="utf-8", errors="replace"), rel)
            except OSError as exc:
                raise UsageError(f"cannot read {ignore_file}: {exc.strerror}") from None
        try:
            children = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise UsageError(f"cannot read the directory {directory}: {exc.strerror}") from None
        for child in children:
            child_rel = f"{rel}/{child.name}" if rel else child.name
            if ignore.is_ignored(rules, child_rel):
                continue
            path = Path(child.path)
            if child.is_symlink() and not inside(path):
                warn(f"skipped {path}: a symlink to outside {top}")
                continue
            try:
                info = path.stat()
            except OSError:
                warn(f"skipped {path}: a broken symlink")
                continue
            if stat.S_ISDIR(info.st_mode):
                walk(path, child_rel, rules)
            elif stat.S_ISREG(info.st_mode):
                try:
                    digest = sha256_of(path)
                except OSError as exc:
                    raise UsageError(f"cannot read {path}: {exc.strerror}") from None
                manifest[child_rel] = Entry(path, digest, info.st_size, stat.S_IMODE(info.st_mode) & 0o777,
                                            info.st_mtime)

    walk(root, "", list(ignore.DEFAULT_RULES))
    return manifest
