"""The runner agent's API: heartbeats, claims, blobs, logs, results."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from dshub.api.deps import get_session
from dshub.api.routes.tasks import task_out
from dshub.api.routes.workspace import missing, receive_blob
from dshub.blobstore import SHA256
from dshub.core.security import hash_api_key
from dshub.datasets import linked_datasets
from dshub.jobs import ACTIVE, append_system_log, as_utc, claim, lose
from dshub.models import Dataset, DatasetObject, Project, Runner, Task, TaskLog, WorkspaceFile, WorkspaceVersion, utcnow
from dshub.runs import extract_runs
from dshub.schemas import Assignment, ClaimIn, FinishIn, Heartbeat, HeartbeatOut, LogsIn, MissingIn, MissingOut
from dshub.secrets import key_for_task
from dshub.workspaces import apply_changes, manifest, valid_path

router = APIRouter(prefix="/agent", tags=["runner agent"])

CLAIM_POLL = 0.2
# A task this runner claimed but doesn't report as running, for this long, is lost
# (the agent restarted, say). Long enough to cover claim -> first heartbeat.
UNREPORTED_GRACE = timedelta(seconds=30)


def get_runner(request: Request, session: Session = Depends(get_session)) -> Runner:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    runner = None
    if scheme.lower() == "bearer" and token.strip():
        runner = session.scalar(select(Runner).where(Runner.token_hash == hash_api_key(token.strip())))
    if runner is None:
        raise HTTPException(401, "invalid runner token: use the token ds runner create printed",
                            headers={"WWW-Authenticate": "Bearer"})
    return runner


def _seen(session: Session, runner: Runner, labels: dict[str, str] | None = None) -> None:
    runner.last_seen_at = utcnow()
    if labels is not None:
        runner.labels = labels
    session.commit()


def _runner_task(session: Session, runner: Runner, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.runner_id != runner.id:
        raise HTTPException(404, f"task {task_id} is not assigned to this runner")
    return task


@router.post("/heartbeat", response_model=HeartbeatOut)
def heartbeat(body: Heartbeat, request: Request, runner: Runner = Depends(get_runner),
              session: Session = Depends(get_session)) -> HeartbeatOut:
    _seen(session, runner, body.labels)
    reported = set(body.running)
    for task in session.scalars(select(Task).where(Task.runner_id == runner.id, Task.state.in_(ACTIVE))).all():
        started = as_utc(task.started_at)
        if task.id not in reported and started is not None and utcnow() - started > UNREPORTED_GRACE:
            lose(session, task, f"runner {runner.name} no longer runs it")
    session.commit()
    stop = session.scalars(select(Task.id).where(Task.runner_id == runner.id, Task.state == "stopping")).all()
    return HeartbeatOut(stop=list(stop), timeout=request.app.state.settings.runner_timeout, name=runner.name,
                        runner_id=runner.id)


@router.post("/claim", response_model=Assignment, responses={204: {"description": "no work"}})
def claim_task(body: ClaimIn, request: Request, runner: Runner = Depends(get_runner),
               session: Session = Depends(get_session)):
    deadline = time.monotonic() + body.wait
    while True:
        _seen(session, runner, body.labels)
        task = claim(session, runner)
        if task is not None:
            break
        if time.monotonic() >= deadline or request.app.state.stopping.wait(CLAIM_POLL):
            return Response(status_code=204)
    seq = append_system_log(session, task.id, f"claimed by runner {runner.name}")
    session.commit()
    name = session.scalar(select(Project.name).where(Project.id == task.project_id)) or ""
    secret = key_for_task(session, task)
    ssh_key = request.app.state.secretbox.decrypt(secret.private_key_encrypted) if secret else None
    mounts = linked_datasets(session, task)
    task.datasets = [{k: m[k] for k in ("path", "dataset_id", "name", "version")} for m in mounts]
    session.commit()
    return Assignment(task=task_out(task, name), manifest=manifest(session, task.workspace_version_in), log_seq=seq,
                      ssh_key=ssh_key, datasets=mounts)


@router.get("/blobs/{sha256}")
def get_blob(sha256: str, request: Request, runner: Runner = Depends(get_runner),
             session: Session = Depends(get_session)) -> FileResponse:
    store = request.app.state.blobs
    owned = session.scalar(select(exists().where(
        WorkspaceFile.sha256 == sha256, WorkspaceFile.version_id == WorkspaceVersion.id,
        WorkspaceVersion.project_id == Project.id, Project.owner_id == runner.owner_id))) or session.scalar(
        select(exists().where(DatasetObject.sha256 == sha256, DatasetObject.dataset_id == Dataset.id,
                              Dataset.owner_id == runner.owner_id)))
    if not SHA256.match(sha256) or not owned or not store.has(sha256):
        raise HTTPException(404, f"no blob {sha256}")
    return FileResponse(store.path(sha256), media_type="application/octet-stream")


@router.post("/blobs/missing", response_model=MissingOut)
def missing_blobs(body: MissingIn, request: Request, runner: Runner = Depends(get_runner)) -> MissingOut:
    return MissingOut(missing=missing(request, body.sha256))


@router.put("/blobs/{sha256}", status_code=204)
async def put_blob(sha256: str, request: Request, runner: Runner = Depends(get_runner)) -> Response:
    await receive_blob(request, sha256)
    return Response(status_code=204)


@router.post("/tasks/{task_id}/logs", status_code=204)
def post_logs(task_id: str, body: LogsIn, runner: Runner = Depends(get_runner),
              session: Session = Depends(get_session)) -> Response:
    _runner_task(session, runner, task_id)
    if body.entries:
        seqs = [e.seq for e in body.entries]
        known = set(session.scalars(select(TaskLog.seq).where(
            TaskLog.task_id == task_id, TaskLog.seq >= min(seqs), TaskLog.seq <= max(seqs))))
        fresh = {e.seq: e for e in body.entries if e.seq not in known}
        if fresh:
            session.execute(insert(TaskLog), [
                {"task_id": task_id, "seq": e.seq, "ts": e.ts, "stream": e.stream, "line": e.line}
                for e in fresh.values()
            ])
    _seen(session, runner)
    return Response(status_code=204)


@router.post("/tasks/{task_id}/finish", status_code=204)
def finish(task_id: str, body: FinishIn, request: Request, runner: Runner = Depends(get_runner),
           session: Session = Depends(get_session)) -> Response:
    task = _runner_task(session, runner, task_id)
    bad = [p for p in list(body.changes.put) + body.changes.delete if not valid_path(p)]
    if bad:
        raise HTTPException(422, f"unsafe workspace path {bad[0]!r}")
    store = request.app.state.blobs
    absent = [f.sha256 for f in body.changes.put.values() if not store.has(f.sha256)]
    if absent:
        raise HTTPException(409, f"blob {absent[0]} was not uploaded")
    version = apply_changes(session, task.project_id, {p: f.model_dump() for p, f in body.changes.put.items()},
                            body.changes.delete, task_id=task.id)
    task = session.get(Task, task_id)
    task.workspace_version_out = version
    # Runs first, the final state last: whoever sees the task terminated sees its runs.
    extract_runs(session, task)
    if task.state != "lost":  # a late report from a runner already given up on keeps the verdict
        task.state = body.state
    task.exit_code, task.reason, task.finished_at = body.exit_code, body.reason, utcnow()
    _seen(session, runner)
    return Response(status_code=204)
