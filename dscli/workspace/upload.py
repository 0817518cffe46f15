"""Upload a local directory into a project's workspace, sending only what the hub lacks."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TextIO
from urllib.parse import quote

from dscli.errors import UsageError
from dscli.output import size as human_size
from dscli.workspace.manifest import CHUNK, Entry, scan

PROGRESS_THRESHOLD = 10 * 1000 * 1000  # bytes: smaller uploads finish before a bar helps
# Small blobs travel many to a request (POST /v2/blobs/batch): they are bound by
# round trips, not bytes. Bigger ones get a PUT each. Requests run in parallel.
SMALL_BLOB = 1 << 20
BATCH_BYTES = 8 << 20
BATCH_COUNT = 1000
PARALLEL_UPLOADS = 4


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal and the upload is large."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.enabled = total >= PROGRESS_THRESHOLD and stream.isatty()
        self._lock = threading.Lock()

    def advance(self, count: int) -> None:
        with self._lock:
            self.done += count
        if self.enabled:
            percent = 100 * self.done // max(self.total, 1)
            self.stream.write(f"\ruploading {human_size(self.done)} / {human_size(self.total)} ({percent}%)")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _chunks(entry: Entry, progress: Progress) -> Iterator[bytes]:
    with open(entry.path, "rb") as f:
        while chunk := f.read(CHUNK):
            progress.advance(len(chunk))
            yield chunk


def _batch_body(entries: list[Entry], progress: Progress) -> Iterator[bytes]:
    """Frames of sha256 (64 hex), size (16 hex), bytes: the hub's batch format."""
    for entry in entries:
        yield f"{entry.sha256}{entry.size:016x}".encode("ascii")
        sent = 0
        for chunk in _chunks(entry, progress):
            sent += len(chunk)
            yield chunk
        if sent != entry.size:  # the file changed while we uploaded it
            raise UsageError(f"{entry.path} changed during the upload: run it again")


def _requests(client, entries: list[Entry], progress: Progress) -> list:
    """One callable per HTTP request needed to upload these blobs."""
    calls, batch, batch_bytes = [], [], 0
    for entry in sorted(entries, key=lambda e: e.size):
        if entry.size >= SMALL_BLOB:
            calls.append(lambda e=entry: client.put_stream(f"/v2/blobs/{e.sha256}", _chunks(e, progress)))
            continue
        batch.append(entry)
        batch_bytes += entry.size
        if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_COUNT:
            calls.append(lambda b=batch: client.post_stream("/v2/blobs/batch", _batch_body(b, progress)))
            batch, batch_bytes = [], 0
    if batch:
        calls.append(lambda b=batch: client.post_stream("/v2/blobs/batch", _batch_body(b, progress)))
    return calls


def upload_directory(client, project: str, directory: str, stderr: TextIO = sys.stderr) -> dict:
    """Scan, upload missing blobs, then create the workspace version; returns a summary.

    The version is created last, so an upload that fails part-way changes nothing.
    """
    manifest = scan(directory, lambda message: stderr.write(f"ds: warning: {message}\n"))
    by_hash: dict[str, Entry] = {}
    for entry in manifest.values():
        by_hash.setdefault(entry.sha256, entry)
    missing = client.post("/v2/blobs/missing", json={"sha256": list(by_hash)})["missing"] if by_hash else []
    progress = Progress(sum(by_hash[h].size for h in missing), stderr)
    with ThreadPoolExecutor(max_workers=PARALLEL_UPLOADS) as pool:
        # list() re-raises the first failure; the version below is then never created.
        list(pool.map(lambda call: call(), _requests(client, [by_hash[h] for h in missing], progress)))
    progress.close()
    version = client.post("/v2/projects/" + quote(project, safe="") + "/workspace",
                          json={"files": {path: e.api() for path, e in manifest.items()}})
    return {"files": len(manifest), "uploaded_blobs": len(missing),
            "uploaded_bytes": sum(by_hash[h].size for h in missing), "version": version["id"]}
