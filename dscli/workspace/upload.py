"""Upload a local directory into a project's workspace, sending only what the hub lacks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TextIO
from urllib.parse import quote

from dscli.output import size as human_size
from dscli.workspace.manifest import CHUNK, Entry, scan

PROGRESS_THRESHOLD = 10 * 1000 * 1000  # bytes: smaller uploads finish before a bar helps


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal and the upload is large."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.enabled = total >= PROGRESS_THRESHOLD and stream.isatty()

    def advance(self, count: int) -> None:
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
    for sha256 in missing:
        client.put_stream(f"/v2/blobs/{sha256}", _chunks(by_hash[sha256], progress))
    progress.close()
    version = client.post("/v2/projects/" + quote(project, safe="") + "/workspace",
                          json={"files": {path: e.api() for path, e in manifest.items()}})
    return {"files": len(manifest), "uploaded_blobs": len(missing),
            "uploaded_bytes": sum(by_hash[h].size for h in missing), "version": version["id"]}
