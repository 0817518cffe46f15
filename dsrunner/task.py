"""One claimed task, from assignment to finish: workspace, job, logs, changes, report.

``TaskRun.run()`` never raises: whatever goes wrong becomes the task's reported
outcome (``failed`` with a reason), so the hub always hears how a task ended.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dsrunner import git
from dsrunner.api import AgentClient
from dsrunner.executors.base import Executor, Job, JobSpec, JobStartError
from dsrunner.logs import LogShipper
from dsrunner.workspace import BlobCache, Changes, UnsafePath, Workspace, WorkspaceError

log = logging.getLogger(__name__)

STOPPED_ON_REQUEST = "stopped on request"


class _Stopped(Exception):
    """A stop request arrived before the job started."""


@dataclass
class Outcome:
    """How a task ended, as reported to the hub's finish endpoint."""

    state: str
    exit_code: int | None = None
    reason: str | None = None
    changes: Changes = field(default_factory=Changes)


def label_variable(name: str) -> str:
    """``DOTSCIENCE_LABEL_<NAME>``: the label name upper-cased, every non-alphanumeric as ``_``."""
    return "DOTSCIENCE_LABEL_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def job_environment(task: Mapping[str, Any], base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a task's command runs with (see docs/runner.md, "The job's environment").

    The runner's own environment without its secrets (``DS_RUNNER_*``), the
    job Python's directory first on PATH (``$DSRUNNER_JOB_PYTHON``, the
    runner's own Python by default), unbuffered Python output, the task's
    identity and labels, and the task's own ``env`` last, overriding all.
    """
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not k.startswith("DS_RUNNER_")}
    python_dir = os.path.dirname(os.path.abspath(base.get("DSRUNNER_JOB_PYTHON") or sys.executable))
    path = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != python_dir]
    env["PATH"] = os.pathsep.join([python_dir, *path])
    env["PYTHONUNBUFFERED"] = "1"
    # Jobs run in the workspace, whose files are uploaded afterwards: no __pycache__ in results.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["DOTSCIENCE_TASK_ID"] = str(task.get("id") or "")
    env["DOTSCIENCE_PROJECT_ID"] = str(task.get("project_id") or "")
    env["DOTSCIENCE_PROJECT"] = str(task.get("project") or "")
    for name, value in (task.get("labels") or {}).items():
        env[label_variable(str(name))] = str(value)
    for name, value in (task.get("env") or {}).items():
        env[str(name)] = str(value)
    return env


def describe_exit(code: int) -> str:
    """"exit code 3", or "killed by signal SIGKILL" for a negative Popen-style status."""
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class TaskRun:
    """Runs one assignment (``{"task": ..., "manifest": ...}``) and reports it to the hub."""

    def __init__(self, assignment: Mapping[str, Any], *, client: AgentClient, executor: Executor,
                 cache: BlobCache, work_dir: str, runner_name: str, stop_grace: float = 10.0,
                 shipper: LogShipper | None = None):
        self.task = dict(assignment["task"])
        self.id: str = self.task["id"]
        self.manifest: dict[str, dict[str, Any]] = dict(assignment.get("manifest") or {})
        # The project's SSH key, for this task's git checkout only: never logged, never in the job's env.
        self.ssh_key: str | None = assignment.get("ssh_key")
        self.client = client
        self.executor = executor
        self.cache = cache
        mounts = {d["path"]: d.get("manifest") or {} for d in assignment.get("datasets") or []}
        self.workspace = Workspace(os.path.join(work_dir, "tasks", self.id), self.manifest, mounts)
        self.runner_name = runner_name
        self.stop_grace = stop_grace
        # The hub may have logged entries itself before handing the task out ("claimed by
        # runner ..."); an assignment's ``log_seq`` is the last seq it used, so ours follow it.
        first_seq = int(assignment.get("log_seq") or 0) + 1
        self.logs = shipper or LogShipper(lambda entries: client.send_logs(self.id, entries), first_seq=first_seq)
        self.stop_reason: str | None = None
        self._lock = threading.Lock()
        self._job: Job | None = None
        self._exited = threading.Event()

    # -- stopping -----------------------------------------------------------
    @property
    def stop_requested(self) -> bool:
        return self.stop_reason is not None

    def request_stop(self, reason: str = STOPPED_ON_REQUEST) -> None:
        """Stop the task: SIGTERM now, SIGKILL after the grace period. Idempotent, any thread."""
        with self._lock:
            if self.stop_reason is not None:
                return
            self.stop_reason = reason
            job = self._job
        self.logs.system(f"stop requested ({reason})")
        if job is not None:
            self._start_stopper(job)

    def _start_stopper(self, job: Job) -> None:
        threading.Thread(target=self._stop_job, args=(job,), name=f"stop-{self.id[:8]}", daemon=True).start()

    def _stop_job(self, job: Job) -> None:
        if self._exited.is_set():
            return
        self.logs.system(f"sending SIGTERM to the job (pid {job.pid})")
        job.terminate()
        if not self._exited.wait(self.stop_grace):
            self.logs.system(f"the job is still running {self.stop_grace:g} s after SIGTERM: sending SIGKILL")
            job.kill()

    # -- running ------------------------------------------------------------
    def run(self) -> Outcome:
        """Do the whole task and report it; returns what was reported."""
        self.logs.start()
        self.logs.system(f"runner {self.runner_name} started the task")
        try:
            outcome = self._execute()
        except Exception as exc:  # a bug or an unforeseen OS error: still report the task
            log.exception("task %s: unexpected error", self.id)
            outcome = Outcome("failed", None, f"runner error: {exc}")
        if outcome.state == "failed" and outcome.reason and not outcome.reason.startswith(("exit code", "killed by")):
            self.logs.system(outcome.reason)
        if not self.logs.close():
            log.warning("task %s: some log lines could not be delivered", self.id)
        try:
            self.client.finish(self.id, outcome.state, outcome.exit_code, outcome.reason, outcome.changes.as_json())
        except Exception as exc:
            log.error("task %s: cannot report the result to the hub: %s", self.id, exc)
        try:
            self.workspace.remove()
        except OSError as exc:
            log.warning("task %s: cannot remove %s: %s", self.id, self.workspace.task_dir, exc)
        return outcome

    def _execute(self) -> Outcome:
        reason = self.executor.can_run(self.task.get("image"))
        if reason:
            return Outcome("failed", None, reason)
        try:
            self._materialise()
        except _Stopped:
            return Outcome("stopped", None, self.stop_reason)
        except (UnsafePath, WorkspaceError) as exc:
            return Outcome("failed", None, str(exc))
        except Exception as exc:
            return Outcome("failed", None, f"cannot fetch the workspace: {exc}")
        if self.task.get("repo"):
            try:
                with git.ssh_environment(self.ssh_key) as git_env:
                    git.checkout(self.workspace.root, self.task["repo"], self.task.get("ref"), self.logs.system,
                                 env=git_env)
            except git.GitError as exc:
                return Outcome("failed", None, f"git: {exc}")

        spec = JobSpec(command=[str(c) for c in self.task.get("command") or []], cwd=self.workspace.root,
                       env=job_environment(self.task), image=self.task.get("image"), task_id=self.id,
                       labels=dict(self.task.get("labels") or {}))
        with self._lock:
            if self.stop_reason is not None:
                return Outcome("stopped", None, self.stop_reason)
            try:
                job = self.executor.start(spec)
            except JobStartError as exc:
                return Outcome("failed", None, str(exc))
            self._job = job
        readers = [self.logs.reader(job.stdout, "stdout"), self.logs.reader(job.stderr, "stderr")]
        try:
            code = job.wait()
        finally:
            self._exited.set()
        for reader in readers:
            reader.join(10)
        self.logs.system(describe_exit(code))

        if self.stop_requested:
            outcome = Outcome("stopped", code, self.stop_reason)
        elif code == 0:
            outcome = Outcome("succeeded", 0, None)
        else:
            outcome = Outcome("failed", code, describe_exit(code))
        try:
            outcome.changes = self._upload_changes()
        except Exception as exc:
            self.logs.system(f"cannot upload the workspace changes: {exc}")
            outcome.changes = Changes()
            if outcome.state == "succeeded":
                outcome.state, outcome.reason = "failed", f"cannot upload the workspace changes: {exc}"
        return outcome

    def _materialise(self) -> None:
        self.workspace.remove()  # a leftover of an earlier attempt
        self.workspace.check()

        def download(sha: str, dest: str) -> None:
            if self.stop_requested:
                raise _Stopped()
            self.client.get_blob(sha, dest)

        fetched = self.cache.fetch([e["sha256"] for e in self.manifest.values()] + self.workspace.mount_blobs(),
                                   download)
        if self.stop_requested:
            raise _Stopped()
        self.workspace.materialise(self.cache)
        if self.manifest:
            self.logs.system(f"workspace: {len(self.manifest)} files, {fetched} blobs downloaded "
                             f"(the rest from the runner's cache)")

    def _upload_changes(self) -> Changes:
        changes = self.workspace.changes()
        if changes.skipped:
            shown = ", ".join(changes.skipped[:5]) + (" ..." if len(changes.skipped) > 5 else "")
            self.logs.system(f"not saved (symlinks or special files): {shown}")
        if changes.put:
            missing = self.client.missing_blobs(list(changes.sources))
            for sha in missing:
                self.client.put_blob(sha, changes.sources[sha])
        if changes.put or changes.delete:
            self.logs.system(f"workspace changes: {len(changes.put)} written, {len(changes.delete)} deleted")
        return changes

