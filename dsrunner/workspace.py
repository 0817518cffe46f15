"""The blob cache and a task's workspace: materialise a manifest, then find what the job changed.

A manifest maps a relative POSIX path to ``{"sha256", "size", "mode", "mtime"}``
(mode: permission bits; mtime: seconds since the epoch, float). Paths come from
the hub and are checked before anything is written: absolute paths, ``..``,
empty or ``.`` components, NUL bytes and paths through a symlink are refused, so
a manifest can never write outside the workspace.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CHUNK = 1024 * 1024


class UnsafePath(Exception):
    """A manifest path that could write outside the workspace (or is not a plain file path)."""


class WorkspaceError(Exception):
    """The workspace could not be materialised (a conflict in the manifest, a disk error)."""


def check_path(path: str) -> list[str]:
    """The components of a manifest path; UnsafePath if it is absolute, has ``..`` etc."""
    if not isinstance(path, str) or not path:
        raise UnsafePath("refusing an empty workspace path")
    if path.startswith("/") or "\\" in path or "\x00" in path:
        raise UnsafePath(f"refusing unsafe workspace path {path!r}")
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise UnsafePath(f"refusing unsafe workspace path {path!r}")
    return parts


def sha256_file(path: str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobCache:
    """Content-addressed files in ``ROOT/blobs/<sha[:2]>/<sha>``, shared by every task of the runner.

    Files are written once (temp file + rename, hash verified by the download) and
    only ever copied out, never linked, so a job cannot alter the cache.
    """

    def __init__(self, work_dir: str):
        self.root = os.path.join(work_dir, "blobs")

    def path(self, sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise WorkspaceError(f"not a sha256: {sha256!r}")
        return os.path.join(self.root, sha256[:2], sha256)

    def has(self, sha256: str) -> bool:
        return os.path.isfile(self.path(sha256))

    def fetch(self, shas: list[str], download: Callable[[str, str], None]) -> int:
        """Download the blobs not cached yet with ``download(sha, dest_path)``; return how many."""
        count = 0
        for sha in dict.fromkeys(shas):
            if not self.has(sha):
                download(sha, self.path(sha))
                count += 1
        return count

    def adopt(self, sha256: str, path: str) -> None:
        """Move a file whose hash is known into the cache (used for a finished task's outputs)."""
        dest = self.path(sha256)
        if os.path.exists(dest):
            return
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.replace(path, dest)


@dataclass
class Changes:
    """What a job changed: ``put`` (path -> file entry) and ``delete`` (paths), plus where to find the bytes."""

    put: dict[str, dict[str, Any]] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # sha256 -> local path to upload from
    skipped: list[str] = field(default_factory=list)  # paths not reported (symlinks, undecodable names)

    def as_json(self) -> dict[str, Any]:
        return {"put": self.put, "delete": self.delete}


class Workspace:
    """``TASK_DIR/workspace``: the files of a task, materialised from a manifest."""

    def __init__(self, task_dir: str, manifest: dict[str, dict[str, Any]],
                 mounts: dict[str, dict[str, dict[str, Any]]] | None = None):
        self.task_dir = task_dir
        self.root = os.path.join(task_dir, "workspace")
        self.manifest = manifest
        # Dataset mounts: path in the workspace -> the dataset's files. Read-only copies,
        # never part of the workspace's changes.
        self.mounts = mounts or {}
        # path -> (size, mtime_ns, mode) as written, to skip hashing untouched files.
        self.written: dict[str, tuple[int, int, int]] = {}

    def check(self) -> None:
        """Refuse the whole manifest if any path is unsafe (before downloading anything)."""
        for path in self.manifest:
            check_path(path)
            if self._in_mount(path):
                raise WorkspaceError(f"workspace path {path!r} is inside a dataset mount")
        for mount, files in self.mounts.items():
            for path in files:
                check_path(f"{mount}/{path}")

    def _in_mount(self, rel: str) -> bool:
        return any(rel == m or rel.startswith(m + "/") for m in self.mounts)

    def mount_blobs(self) -> list[str]:
        return [entry["sha256"] for files in self.mounts.values() for entry in files.values()]

    def materialise(self, cache: BlobCache) -> None:
        """Copy every manifest file from the cache into the workspace, with its mode and mtime.

        The blobs must be in the cache already. Raises UnsafePath or WorkspaceError.
        """
        self.check()
        os.makedirs(self.root, exist_ok=True)
        for path in sorted(self.manifest):
            entry = self.manifest[path]
            target = self._prepare_parent(path)
            self._copy(cache.path(entry["sha256"]), target, path)
            mode = int(entry.get("mode", 0o644)) & 0o777
            os.chmod(target, mode)
            mtime_ns = int(round(float(entry.get("mtime", 0)) * 1e9))
            os.utime(target, ns=(mtime_ns, mtime_ns))
            st = os.lstat(target)
            self.written[path] = (st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
        for mount, files in sorted(self.mounts.items()):
            os.makedirs(os.path.join(self.root, *check_path(mount)), exist_ok=True)
            for path in sorted(files):
                target = self._prepare_parent(f"{mount}/{path}")
                self._copy(cache.path(files[path]["sha256"]), target, path)
                os.chmod(target, 0o444)
            # read-only folders too: a job sees the dataset, it cannot change it
            for dirpath, _dirnames, _files in os.walk(os.path.join(self.root, *check_path(mount)), topdown=False):
                os.chmod(dirpath, 0o555)

    def _prepare_parent(self, path: str) -> str:
        """Create the folders above ``path`` inside the workspace, never through a symlink."""
        parts = check_path(path)
        current = self.root
        for i, part in enumerate(parts[:-1]):
            current = os.path.join(current, part)
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                os.mkdir(current, 0o755)
                continue
            if stat.S_ISLNK(st.st_mode):
                raise UnsafePath(f"refusing workspace path {path!r}: {'/'.join(parts[:i + 1])} is a symlink")
            if not stat.S_ISDIR(st.st_mode):
                raise WorkspaceError(f"workspace path {path!r} conflicts with the file {'/'.join(parts[:i + 1])}")
        target = os.path.join(current, parts[-1])
        if os.path.lexists(target):
            if os.path.islink(target):
                raise UnsafePath(f"refusing workspace path {path!r}: it is a symlink")
            raise WorkspaceError(f"workspace path {path!r} conflicts with a folder of the same name")
        return target

    @staticmethod
    def _copy(src: str, target: str, path: str) -> None:
        # O_EXCL|O_NOFOLLOW: never write through something that appeared in the meantime.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(target, flags, 0o600)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ELOOP):
                raise UnsafePath(f"refusing workspace path {path!r}: something is already there") from exc
            raise
        with open(src, "rb") as fsrc, os.fdopen(fd, "wb") as fdst:
            shutil.copyfileobj(fsrc, fdst, CHUNK)

    def changes(self) -> Changes:
        """Compare the workspace with the manifest: new/changed files to put, vanished ones to delete.

        Symlinks (to files or folders) and anything but regular files are skipped,
        never followed. A file whose size and mtime are what was materialised is
        taken as unchanged without reading it; a changed mode alone is reported
        as a put of the same blob.
        """
        result = Changes()
        seen: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            rel_dir = os.path.relpath(dirpath, self.root)
            dirnames[:] = [d for d in dirnames if not self._in_mount(_rel(rel_dir, d))]
            for name in list(dirnames):
                if os.path.islink(os.path.join(dirpath, name)):
                    result.skipped.append(_rel(rel_dir, name))
            dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
            for name in sorted(filenames):
                rel = _rel(rel_dir, name)
                full = os.path.join(dirpath, name)
                try:
                    st = os.lstat(full)
                    rel.encode("utf-8")
                except (OSError, UnicodeEncodeError):
                    result.skipped.append(rel)
                    continue
                if not stat.S_ISREG(st.st_mode):
                    result.skipped.append(rel)
                    continue
                seen.add(rel)
                mode = stat.S_IMODE(st.st_mode) & 0o777
                old = self.manifest.get(rel)
                written = self.written.get(rel)
                if old is not None and written is not None and (st.st_size, st.st_mtime_ns) == written[:2]:
                    if mode == written[2]:
                        continue
                    sha = old["sha256"]
                else:
                    sha = sha256_file(full)
                    if old is not None and sha == old["sha256"] and written is not None and mode == written[2]:
                        continue
                result.put[rel] = {"sha256": sha, "size": st.st_size, "mode": mode, "mtime": st.st_mtime_ns / 1e9}
                result.sources.setdefault(sha, full)
        result.delete = sorted(p for p in self.manifest if p not in seen)
        return result

    def remove(self) -> None:
        """Delete the task folder, even if the job left read-only files or folders behind."""
        def onerror(func: Callable[..., Any], path: str, _exc: Any) -> None:
            try:
                os.chmod(os.path.dirname(path), 0o700)
                if os.path.isdir(path) and not os.path.islink(path):
                    os.chmod(path, 0o700)
                func(path)
            except OSError:
                pass
        if os.path.lexists(self.task_dir):
            shutil.rmtree(self.task_dir, onerror=onerror)


def _rel(rel_dir: str, name: str) -> str:
    return name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
