"""Runners, as their owner sees them."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.api.routes.tasks import task_out
from dshub.core.security import hash_api_key
from dshub.jobs import as_utc, running_counts
from dshub.lookup import owned
from dshub.models import Project, Runner, Task, utcnow
from dshub.schemas import RunnerCreated, RunnerDetail, RunnerIn, RunnerOut, iso, iso_or_none

router = APIRouter(prefix="/runners", tags=["runners"])

RUNNER_TOKEN_PREFIX = "dsr_"


def runner_out(runner: Runner, running: int, timeout: float) -> RunnerOut:
    seen = as_utc(runner.last_seen_at)
    online = seen is not None and utcnow() - seen <= timedelta(seconds=timeout)
    return RunnerOut(
        id=runner.id, name=runner.name, description=runner.description, type=runner.type, size_gb=runner.size_gb,
        labels=runner.labels or {}, status="online" if online else "offline", running_tasks=running,
        last_seen_at=iso_or_none(runner.last_seen_at), created_at=iso(runner.created_at),
    )


def create_runner(session: Session, owner_id: str, body: RunnerIn) -> tuple[Runner, str]:
    token = RUNNER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    runner = Runner(owner_id=owner_id, name=body.name or f"{secrets.token_hex(4)}-untitled",
                    description=body.description, type=body.type, size_gb=body.size_gb,
                    token_hash=hash_api_key(token), labels={})
    session.add(runner)
    session.commit()
    return runner, token


@router.post("", response_model=RunnerCreated, status_code=201)
def create(body: RunnerIn, request: Request, caller: Caller = Depends(get_caller),
           session: Session = Depends(get_session)) -> RunnerCreated:
    runner, token = create_runner(session, caller.user.id, body)
    out = runner_out(runner, 0, request.app.state.settings.runner_timeout)
    return RunnerCreated(**out.model_dump(), token=token)


@router.get("", response_model=list[RunnerOut])
def list_runners(request: Request, caller: Caller = Depends(get_caller),
                 session: Session = Depends(get_session)) -> list[RunnerOut]:
    counts = running_counts(session, caller.user.id)
    timeout = request.app.state.settings.runner_timeout
    runners = session.scalars(select(Runner).where(Runner.owner_id == caller.user.id)
                              .order_by(Runner.created_at, Runner.id))
    return [runner_out(r, counts.get(r.id, 0), timeout) for r in runners]


@router.get("/{ref}", response_model=RunnerDetail)
def inspect(ref: str, request: Request, caller: Caller = Depends(get_caller),
            session: Session = Depends(get_session)) -> RunnerDetail:
    runner = owned(session, Runner, caller.user.id, ref, "runner", by_name=True)
    rows = session.execute(select(Task, Project.name).join(Project, Task.project_id == Project.id)
                           .where(Task.runner_id == runner.id).order_by(Task.created_at, Task.id)).all()
    out = runner_out(runner, running_counts(session, caller.user.id).get(runner.id, 0),
                     request.app.state.settings.runner_timeout)
    return RunnerDetail(**out.model_dump(), tasks=[task_out(t, name) for t, name in rows])


@router.delete("/{ref}", status_code=204)
def remove(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> Response:
    session.delete(owned(session, Runner, caller.user.id, ref, "runner", by_name=True))
    session.commit()
    return Response(status_code=204)
