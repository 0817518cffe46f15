"""A project's workspace as its owner sees it: uploads (ds run -u) and files (ds file ls).

Uploads are incremental: the client sends the manifest's hashes, uploads only
the blobs the hub lacks, then creates the version. The version is created only
once every blob has arrived, so a failed upload leaves the workspace as it was.
An upload adds and overwrites files; it never deletes any (outputs of earlier
jobs survive).
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.api.routes.projects import resolve_project
from dshub.blobstore import SHA256, BlobMismatch
from dshub.schemas import FileOut, FilesOut, MissingIn, MissingOut, Stats, UploadIn, VersionOut, iso
from dshub.workspaces import apply_changes, manifest, newest_version, valid_path

router = APIRouter(tags=["workspaces"])
_counter_lock = threading.Lock()


def _count_received(request: Request, size: int) -> None:
    with _counter_lock:
        stats = request.app.state.stats
        stats["blobs_received"] += 1
        stats["blob_bytes_received"] += size


async def receive_blob(request: Request, sha256: str) -> None:
    """Store a request body as blob sha256, chunk by chunk; counts what arrived."""
    if not SHA256.match(sha256):
        raise HTTPException(422, f"not a sha256: {sha256!r}")
    store = request.app.state.blobs
    if store.has(sha256):
        return
    try:
        with store.writer(sha256) as writer:
            async for chunk in request.stream():
                writer.write(chunk)
    except BlobMismatch as exc:
        raise HTTPException(400, str(exc)) from None
    _count_received(request, writer.size)


BATCH_HEADER = 80  # 64 hex digits of sha256, then the size as 16 hex digits


class _StreamReader:
    """Exact-size reads over a request body that arrives in arbitrary chunks."""

    def __init__(self, request: Request) -> None:
        self.chunks = request.stream()
        self.buffer = bytearray()
        self.ended = False

    async def _fill(self, size: int) -> None:
        while len(self.buffer) < size and not self.ended:
            try:
                self.buffer += await self.chunks.__anext__()
            except StopAsyncIteration:
                self.ended = True

    async def read(self, size: int) -> bytes:
        await self._fill(size)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    async def copy(self, size: int, write) -> None:
        """Pass the next `size` bytes to write() in pieces (flat memory)."""
        while size > 0:
            await self._fill(1)
            if not self.buffer:
                raise HTTPException(400, "the batch ended in the middle of a blob")
            piece = bytes(self.buffer[:size])
            del self.buffer[:len(piece)]
            write(piece)
            size -= len(piece)


@router.post("/blobs/batch", status_code=204)
async def put_blobs(request: Request, caller: Caller = Depends(get_caller)) -> Response:
    """Many blobs in one request (small files are bound by round trips, not bytes).

    The body is a sequence of frames: the blob's sha256 as 64 hex digits, its
    size as 16 hex digits, then its bytes. Each blob is verified on its own.
    """
    reader, store = _StreamReader(request), request.app.state.blobs
    while header := await reader.read(BATCH_HEADER):
        if len(header) != BATCH_HEADER:
            raise HTTPException(400, "a truncated blob header in the batch")
        sha256, size_hex = header[:64].decode("ascii", "replace"), header[64:].decode("ascii", "replace")
        if not SHA256.match(sha256):
            raise HTTPException(422, f"not a sha256: {sha256!r}")
        try:
            size = int(size_hex, 16)
            with store.writer(sha256) as writer:
                await reader.copy(size, writer.write)
        except ValueError as exc:  # a bad size, or BlobMismatch
            raise HTTPException(400, str(exc)) from None
        _count_received(request, size)
    return Response(status_code=204)


def missing(request: Request, hashes: list[str]) -> list[str]:
    bad = [s for s in hashes if not SHA256.match(s)]
    if bad:
        raise HTTPException(422, f"not a sha256: {bad[0]!r}")
    store = request.app.state.blobs
    return [s for s in dict.fromkeys(hashes) if not store.has(s)]


@router.put("/blobs/{sha256}", status_code=204)
async def put_blob(sha256: str, request: Request, caller: Caller = Depends(get_caller)) -> Response:
    await receive_blob(request, sha256)
    return Response(status_code=204)


@router.post("/blobs/missing", response_model=MissingOut)
def missing_blobs(body: MissingIn, request: Request, caller: Caller = Depends(get_caller)) -> MissingOut:
    return MissingOut(missing=missing(request, body.sha256))


@router.get("/stats", response_model=Stats)
def stats(request: Request, caller: Caller = Depends(get_caller)) -> Stats:
    """What this hub process has received (for benchmarks and tests of incremental uploads)."""
    return Stats(**request.app.state.stats)


# Declared before the projects router: its "/projects/{ref:path}" would take these paths.
@router.post("/projects/{ref:path}/workspace", response_model=VersionOut, status_code=201)
def upload(ref: str, body: UploadIn, request: Request, caller: Caller = Depends(get_caller),
           session: Session = Depends(get_session)) -> VersionOut:
    project = resolve_project(session, caller, ref)
    bad = [p for p in body.files if not valid_path(p)]
    if bad:
        raise HTTPException(422, f"unsafe workspace path {bad[0]!r}")
    absent = missing(request, [f.sha256 for f in body.files.values()])
    if absent:
        raise HTTPException(409, f"blob {absent[0]} was not uploaded; nothing was changed")
    version = apply_changes(session, project.id, {p: f.model_dump() for p, f in body.files.items()}, [])
    return VersionOut(id=version, files=len(manifest(session, version)))


@router.get("/projects/{ref:path}/files", response_model=FilesOut)
def files(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> FilesOut:
    project = resolve_project(session, caller, ref)
    version = newest_version(session, project.id)
    listed = manifest(session, version.id if version else None)
    return FilesOut(version_id=version.id if version else None, files=[
        FileOut(name=path, size=f["size"], sha256=f["sha256"], mode=f["mode"],
                last_modified=iso(datetime.fromtimestamp(f["mtime"], tz=timezone.utc)))
        for path, f in sorted(listed.items())
    ])
