"""Runs: what the dotscience library's publish() printed, extracted by the hub.

``publish()`` writes ``[[DOTSCIENCE-RUN:<uuid>]]<json>[[/DOTSCIENCE-RUN:<uuid>]]``
to the job's standard output (the JSON spans many lines, may sit between other
output, and a job may publish many). The **hub** extracts them when the task
terminates (finished, stopped or lost), from the task's stdout log entries
only: every complete block becomes a run of the task's project. A truncated
block (the job was killed mid-write) or one whose JSON is malformed is skipped
with a system log entry; it never fails the task or loses the other runs.

Input and output files are recorded with the workspace version they were read
from (the version the task started from) or written to (the version it
produced), and their sha256 there, so a run says exactly which contents it used
and made.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.jobs import append_system_log
from dshub.models import Run, Task, TaskLog
from dshub.workspaces import manifest

MARKER = "[[DOTSCIENCE-RUN:"
_BLOCK = re.compile(r"\[\[DOTSCIENCE-RUN:(?P<id>[0-9A-Za-z-]{1,64})\]\](?P<body>.*?)\[\[/DOTSCIENCE-RUN:(?P=id)\]\]",
                    re.DOTALL)
_START = re.compile(r"\[\[DOTSCIENCE-RUN:(?P<id>[0-9A-Za-z-]{1,64})\]\]")


def parse_blocks(text: str) -> tuple[list[tuple[str, dict]], list[str]]:
    """The complete, well-formed run blocks in text, and why others were skipped."""
    runs, problems, spans = [], [], []
    for match in _BLOCK.finditer(text):
        spans.append(match.span())
        try:
            metadata = json.loads(match.group("body"))
            if not isinstance(metadata, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            problems.append(f"skipped run {match.group('id')}: its metadata is not valid JSON ({exc})")
            continue
        runs.append((match.group("id"), metadata))
    for start in _START.finditer(text):
        if not any(a <= start.start() < b for a, b in spans):
            problems.append(f"skipped run {start.group('id')}: its block was cut off before the end marker")
    return runs, problems


def _files(paths, version: str | None, files: dict[str, dict], mounts: list[dict] | None = None) -> list[dict]:
    out = []
    for path in paths if isinstance(paths, list) else []:
        clean = str(path).removeprefix("./")
        mount = next((m for m in mounts or [] if clean.startswith(m["path"] + "/")), None)
        if mount is not None:  # read from a dataset: recorded with the dataset's version
            out.append({"path": path, "dataset_id": mount["dataset_id"], "dataset_version": mount["version"],
                        "sha256": mount.get("files", {}).get(clean[len(mount["path"]) + 1:])})
            continue
        entry = files.get(clean) or files.get(str(path))
        out.append({"path": path, "workspace_version": version if entry else None,
                    "sha256": entry["sha256"] if entry else None})
    return out


def _mounts(session: Session, task: Task) -> list[dict]:
    """The datasets the task saw, with the sha256 of each file at the version it saw."""
    from dshub.datasets import dataset_manifest
    from dshub.models import Dataset

    mounts = []
    for mount in task.datasets or []:
        dataset = session.get(Dataset, mount["dataset_id"])
        files = dataset_manifest(session, dataset) if dataset and dataset.version == mount["version"] else {}
        mounts.append({**mount, "files": {p: f["sha256"] for p, f in files.items()}})
    return mounts


def extract_runs(session: Session, task: Task) -> int:
    """Record the runs in a terminated task's stdout; returns how many."""
    has_marker = session.scalar(select(TaskLog.seq).where(
        TaskLog.task_id == task.id, TaskLog.stream == "stdout", TaskLog.line.contains(MARKER)).limit(1))
    if has_marker is None:
        return 0
    lines = session.scalars(select(TaskLog.line).where(TaskLog.task_id == task.id, TaskLog.stream == "stdout")
                            .order_by(TaskLog.seq))
    runs, problems = parse_blocks("\n".join(lines))
    for problem in problems:
        append_system_log(session, task.id, problem)
        session.flush()
    inputs = manifest(session, task.workspace_version_in)
    mounts = _mounts(session, task)
    outputs = manifest(session, task.workspace_version_out)
    recorded = 0
    for run_id, metadata in runs:
        if session.get(Run, run_id) is not None:
            append_system_log(session, task.id, f"skipped run {run_id}: a run with that ID exists")
            session.flush()
            continue
        session.add(Run(
            id=run_id, owner_id=task.owner_id, project_id=task.project_id, task_id=task.id,
            workspace_version=task.workspace_version_out, metadata_json=metadata,
            input_files=_files(metadata.get("input"), task.workspace_version_in, inputs, mounts),
            output_files=_files(metadata.get("output"), task.workspace_version_out, outputs),
        ))
        recorded += 1
    if recorded:
        append_system_log(session, task.id, f"recorded {recorded} run{'s' if recorded != 1 else ''}")
    session.commit()
    return recorded
