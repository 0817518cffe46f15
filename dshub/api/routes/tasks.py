"""Tasks, as their owner sees them: create, list, inspect, stop, remove, logs."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.api.routes.projects import resolve_project
from dshub.jobs import TERMINATED, request_stop
from dshub.lookup import owned
from dshub.models import Project, Task, TaskLog
from dshub.schemas import LogEntry, LogsOut, TaskIn, TaskOut, iso, iso_or_none

router = APIRouter(prefix="/tasks", tags=["tasks"])

POLL_INTERVAL = 0.1
MAX_WAIT = 30.0


def task_out(task: Task, project_name: str) -> TaskOut:
    return TaskOut(
        id=task.id, project_id=task.project_id, project=project_name, state=task.state, workload=task.workload,
        command=task.command, env=task.env or {}, labels=task.labels or {}, image=task.image,
        repo=task.repo, ref=task.ref,
        runner_id=task.runner_id, exit_code=task.exit_code, reason=task.reason,
        workspace_version_in=task.workspace_version_in, workspace_version_out=task.workspace_version_out,
        created_at=iso(task.created_at), started_at=iso_or_none(task.started_at),
        finished_at=iso_or_none(task.finished_at),
    )


def _own_task(session: Session, caller: Caller, ref: str) -> Task:
    return owned(session, Task, caller.user.id, ref, "task")


def _out(session: Session, task: Task) -> TaskOut:
    return task_out(task, session.scalar(select(Project.name).where(Project.id == task.project_id)) or "")


@router.post("", response_model=TaskOut, status_code=201)
def create(body: TaskIn, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> TaskOut:
    project = resolve_project(session, caller, body.project)
    task = Task(owner_id=caller.user.id, project_id=project.id, command=body.command, env=body.env,
                labels=body.labels, image=body.image, repo=body.repo, ref=body.ref)
    session.add(task)
    session.commit()
    return task_out(task, project.name)


@router.get("", response_model=list[TaskOut])
def list_tasks(caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> list[TaskOut]:
    rows = session.execute(select(Task, Project.name).join(Project, Task.project_id == Project.id)
                           .where(Task.owner_id == caller.user.id).order_by(Task.created_at, Task.id)).all()
    return [task_out(task, name) for task, name in rows]


@router.get("/{ref}", response_model=TaskOut)
def inspect(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> TaskOut:
    return _out(session, _own_task(session, caller, ref))


@router.post("/{ref}/stop", response_model=TaskOut)
def stop(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> TaskOut:
    task = _own_task(session, caller, ref)
    request_stop(session, task)
    return _out(session, task)


@router.delete("/{ref}", status_code=204)
def remove(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> Response:
    task = _own_task(session, caller, ref)
    if task.state not in TERMINATED:
        raise HTTPException(409, f"task {task.id} is {task.state}: stop it first (ds task stop {task.id[:12]})")
    session.delete(task)
    session.commit()
    return Response(status_code=204)


@router.get("/{ref}/logs", response_model=LogsOut)
def logs(ref: str, after: int = Query(0, ge=0), limit: int = Query(10000, ge=1, le=50000),
         wait: float = Query(0, ge=0), *, request: Request, caller: Caller = Depends(get_caller),
         session: Session = Depends(get_session)) -> LogsOut:
    """Entries after seq `after`; with `wait`, held until one arrives or the task ends."""
    task_id = _own_task(session, caller, ref).id
    deadline = time.monotonic() + min(wait, MAX_WAIT)
    while True:
        # Read the state first: a runner sends all its logs before it finishes the
        # task, so a terminated state read now means no entry can come after these.
        state = session.scalar(select(Task.state).where(Task.id == task_id))
        rows = session.execute(
            select(TaskLog.seq, TaskLog.ts, TaskLog.stream, TaskLog.line)
            .where(TaskLog.task_id == task_id, TaskLog.seq > after).order_by(TaskLog.seq).limit(limit)
        ).all()
        terminated = state in TERMINATED
        if rows or terminated or time.monotonic() >= deadline or request.app.state.stopping.is_set():
            break
        session.rollback()  # end the read transaction so the next poll sees new rows
        request.app.state.stopping.wait(POLL_INTERVAL)
    entries = [LogEntry(seq=r.seq, ts=r.ts, stream=r.stream, line=r.line) for r in rows]
    return LogsOut(entries=entries, next=entries[-1].seq if entries else after, state=state or "",
                   done=terminated and len(entries) < limit)
