"""Project workspaces: versions of a manifest path -> blob.

The rule for results (docs/api.md): a task's changes (files put, files
deleted) are applied on top of the workspace's *newest* version when the task
finishes, not on the version it started from, so two tasks of one project keep
each other's outputs; when both change one path, the task that finishes last
wins. Versions are kept as long as their project.
"""

from __future__ import annotations

import threading

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dshub.models import Project, WorkspaceFile, WorkspaceVersion

# One hub process serialises version creation per process; PostgreSQL row locks
# on the project serialise it across hub processes.
_apply_lock = threading.Lock()


def valid_path(path: str) -> bool:
    """A relative POSIX path inside the workspace: no '..', '.', empty part or leading '/'."""
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and "\x00" not in path and all(
        p not in ("", ".", "..") for p in parts)


def newest_version(session: Session, project_id: str) -> WorkspaceVersion | None:
    return session.scalar(
        select(WorkspaceVersion).where(WorkspaceVersion.project_id == project_id)
        .order_by(WorkspaceVersion.created_at.desc(), WorkspaceVersion.id.desc()).limit(1)
    )


def manifest(session: Session, version_id: str | None) -> dict[str, dict]:
    if version_id is None:
        return {}
    rows = session.execute(
        select(WorkspaceFile.path, WorkspaceFile.sha256, WorkspaceFile.size, WorkspaceFile.mode, WorkspaceFile.mtime)
        .where(WorkspaceFile.version_id == version_id)
    )
    return {r.path: {"sha256": r.sha256, "size": r.size, "mode": r.mode, "mtime": r.mtime} for r in rows}


def apply_changes(session: Session, project_id: str, put: dict[str, dict], delete: list[str],
                  task_id: str | None = None) -> str | None:
    """A new version = newest + put - delete; returns its ID (the newest's if nothing changed)."""
    with _apply_lock:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
        base = newest_version(session, project_id)
        files = manifest(session, base.id if base else None)
        before = dict(files)
        for path in delete:
            files.pop(path, None)
        files.update(put)
        if files == before:  # nothing changed: no new version
            session.commit()
            return base.id if base else None
        version = WorkspaceVersion(project_id=project_id, parent_id=base.id if base else None, task_id=task_id)
        session.add(version)
        session.flush()
        if files:
            session.execute(insert(WorkspaceFile), [
                {"version_id": version.id, "path": p, "sha256": f["sha256"], "size": f["size"],
                 "mode": f["mode"], "mtime": f["mtime"]} for p, f in files.items()
            ])
        session.commit()
        return version.id
