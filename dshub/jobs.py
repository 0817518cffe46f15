"""Tasks and runners: the queue, atomic claims, stops, lost runners, retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from dshub.models import Runner, Task, TaskLog, utcnow
from dshub.workspaces import newest_version

TERMINATED = ("succeeded", "failed", "stopped", "lost")
ACTIVE = ("running", "stopping")


def as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def labels_match(wanted: dict[str, str], offered: dict[str, str]) -> bool:
    """A task label k=v is satisfied by a runner label k=v or k=* (see docs/runner.md)."""
    for key, value in wanted.items():
        if key not in offered or offered[key] not in ("*", value):
            return False
    return True


def append_system_log(session: Session, task_id: str, line: str) -> int:
    """A hub-side entry after the task's last one; returns its seq."""
    last = session.scalar(select(func.max(TaskLog.seq)).where(TaskLog.task_id == task_id)) or 0
    session.add(TaskLog(task_id=task_id, seq=last + 1, ts=iso_now(), stream="system", line=line))
    return last + 1


def iso_now() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def claim(session: Session, runner: Runner) -> Task | None:
    """Give the oldest queued task this runner can take to this runner, atomically.

    The conditional UPDATE (state still 'queued') is what makes it atomic: of
    several runners racing for one task, exactly one sees rowcount 1.
    """
    candidates = session.scalars(
        select(Task).where(Task.owner_id == runner.owner_id, Task.state == "queued")
        .order_by(Task.created_at, Task.id).limit(200)
    ).all()
    for task in candidates:
        if not labels_match(task.labels or {}, runner.labels or {}):
            continue
        base = newest_version(session, task.project_id)
        result = session.execute(
            update(Task).where(Task.id == task.id, Task.state == "queued").values(
                state="running", runner_id=runner.id, started_at=utcnow(),
                workspace_version_in=base.id if base else None,
            )
        )
        session.commit()
        if result.rowcount == 1:
            session.refresh(task)
            return task
    return None


def request_stop(session: Session, task: Task) -> None:
    if task.state == "queued":
        task.state, task.finished_at, task.reason = "stopped", utcnow(), "stopped before it started"
        append_system_log(session, task.id, "task stopped before a runner started it")
    elif task.state == "running":
        task.state = "stopping"
    session.commit()


def mark_lost(session: Session, timeout: float) -> int:
    """Tasks of runners silent for longer than timeout become lost."""
    cutoff = utcnow() - timedelta(seconds=timeout)
    silent = session.scalars(
        select(Runner).where(Runner.last_seen_at < cutoff)
        .where(Runner.id.in_(select(Task.runner_id).where(Task.state.in_(ACTIVE))))
    ).all()
    count = 0
    for runner in silent:
        for task in session.scalars(select(Task).where(Task.runner_id == runner.id, Task.state.in_(ACTIVE))).all():
            lose(session, task, f"runner {runner.name} went silent for more than {timeout:g}s")
            count += 1
    session.commit()
    return count


def lose(session: Session, task: Task, reason: str) -> None:
    """The task is lost; what its job published before it went is kept as runs."""
    from dshub.runs import extract_runs  # dshub.runs imports this module

    extract_runs(session, task)  # before the state: whoever sees it lost sees its runs
    task.state, task.reason, task.finished_at = "lost", reason, utcnow()
    append_system_log(session, task.id, f"task lost: {reason}")


def remove_expired(session: Session, days: float) -> int:
    cutoff = utcnow() - timedelta(days=days)
    expired = select(Task.id).where(Task.state.in_(TERMINATED), Task.finished_at < cutoff)
    ids = list(session.scalars(expired))
    if ids:
        session.execute(delete(TaskLog).where(TaskLog.task_id.in_(ids)))
        session.execute(delete(Task).where(Task.id.in_(ids)))
    session.commit()
    return len(ids)


def running_counts(session: Session, owner_id: str) -> dict[str, int]:
    rows = session.execute(
        select(Task.runner_id, func.count()).where(Task.owner_id == owner_id, Task.state.in_(ACTIVE))
        .group_by(Task.runner_id)
    )
    return {runner_id: count for runner_id, count in rows}
