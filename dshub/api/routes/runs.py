"""Runs of a project (published by the dotscience library; see dshub/runs.py)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.api.routes.projects import resolve_project
from dshub.lookup import lookup
from dshub.models import Run
from dshub.schemas import iso

router = APIRouter(tags=["runs"])


def run_out(run: Run) -> dict:
    """The library's run metadata, plus what the hub knows."""
    return {
        **run.metadata_json,
        "id": run.id, "project_id": run.project_id, "task_id": run.task_id,
        "workspace_version": run.workspace_version,
        "input_files": run.input_files, "output_files": run.output_files,
        "created_at": iso(run.created_at),
    }


def summary_of(run: Run) -> dict:
    summary = run.metadata_json.get("summary")
    return summary if isinstance(summary, dict) else {}


# Declared before the projects router: its "/projects/{ref:path}" would take these paths.
@router.get("/projects/{ref:path}/runs/{run_ref}")
def inspect_run(ref: str, run_ref: str, caller: Caller = Depends(get_caller),
                session: Session = Depends(get_session)) -> dict:
    project = resolve_project(session, caller, ref)
    scope = select(Run).where(Run.project_id == project.id)
    return run_out(lookup(session, scope, Run, run_ref, "run", where=f" in project {project.name}"))


@router.get("/projects/{ref:path}/runs")
def list_runs(ref: str, summary_type: str | None = Query(None, max_length=200), caller: Caller = Depends(get_caller),
              session: Session = Depends(get_session)) -> dict:
    """Runs having summary statistic `summary_type`; without it, the most common one (ties: alphabetical)."""
    project = resolve_project(session, caller, ref)
    runs = list(session.scalars(select(Run).where(Run.project_id == project.id).order_by(Run.created_at, Run.id)))
    chosen = summary_type
    if chosen is None:
        counts = Counter(key for run in runs for key in summary_of(run))
        chosen = min(counts, key=lambda k: (-counts[k], k)) if counts else None
    return {
        "summary_type": chosen,
        "chosen_by": "request" if summary_type is not None else "most common",
        "runs": [run_out(r) for r in runs if chosen is not None and chosen in summary_of(r)],
    }
