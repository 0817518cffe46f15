"""The Agent: heartbeats, claims tasks into worker threads, obeys stop requests, shuts down cleanly."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from dsrunner import __version__
from dsrunner.api import AgentClient, HubError
from dsrunner.executors.base import Executor
from dsrunner.task import TaskRun
from dsrunner.workspace import BlobCache

log = logging.getLogger(__name__)

SHUTTING_DOWN = "the runner is shutting down"


class Agent:
    """A runner agent: one heartbeat thread and ``concurrency`` workers, each claiming one task at a time.

    ``connect()`` sends the first heartbeat (once, no retries: the CLI reports a
    wrong URL or token at once); ``run()`` blocks until ``shutdown()``, then
    stops the running tasks, waits for them to be reported and returns the exit
    status (0, or 1 if the hub stopped accepting the token).
    """

    def __init__(self, client: AgentClient, executor: Executor, *, work_dir: str,
                 labels: dict[str, str] | None = None, concurrency: int = 1, stop_grace: float = 10.0,
                 claim_wait: float = 20.0, hostname: str | None = None):
        self.client = client
        self.executor = executor
        self.work_dir = work_dir
        self.labels = dict(labels or {})
        self.concurrency = concurrency
        self.stop_grace = stop_grace
        self.claim_wait = claim_wait
        self.hostname = hostname or socket.gethostname()
        self.name = self.hostname
        self.cache = BlobCache(work_dir)
        self.heartbeat_interval = 5.0
        self.exit_status = 0
        self.stopping = threading.Event()
        self._finished = threading.Event()
        self._running: dict[str, TaskRun] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._offline_since: float | None = None

    # -- heartbeats ---------------------------------------------------------
    def running_ids(self) -> list[str]:
        with self._lock:
            return list(self._running)

    def heartbeat(self, retry_for: float | None = None) -> dict[str, Any]:
        """Send one heartbeat, act on its stop list and adopt its timeout; returns the response."""
        resp = self.client.heartbeat(labels=self.labels, concurrency=self.concurrency, running=self.running_ids(),
                                     executors=[self.executor.name], hostname=self.hostname, version=__version__,
                                     retry_for=retry_for)
        timeout = resp.get("timeout")
        if isinstance(timeout, (int, float)) and timeout > 0:
            self.heartbeat_interval = max(0.2, float(timeout) / 3)
        for task_id in resp.get("stop") or []:
            with self._lock:
                run = self._running.get(task_id)
            if run is not None:
                run.request_stop()
        return resp

    def connect(self) -> dict[str, Any]:
        """The first heartbeat, no retries; raises HubUnreachable or HubError for the CLI to report."""
        resp = self.heartbeat(retry_for=0)
        runner = resp.get("runner") if isinstance(resp.get("runner"), dict) else {}
        self.name = str(resp.get("name") or runner.get("name") or resp.get("runner_id") or runner.get("id")
                        or self.hostname)
        return resp

    def _heartbeat_loop(self) -> None:
        # Keeps going while stopped tasks are wound down, so the hub does not declare them lost.
        while not self._finished.is_set():
            try:
                self.heartbeat(retry_for=0)
                self._online()
            except HubError as exc:
                if exc.status == 401:
                    self._fatal(f"the hub no longer accepts this runner's token ({exc.detail})")
                    if not self.running_ids():
                        return
                self._offline(exc)
            except Exception as exc:
                self._offline(exc)
            self._finished.wait(self.heartbeat_interval)

    def _online(self) -> None:
        if self._offline_since is not None:
            log.warning("reconnected to the hub after %.0f s", time.monotonic() - self._offline_since)
            self._offline_since = None

    def _offline(self, exc: Exception) -> None:
        if self._offline_since is None:
            self._offline_since = time.monotonic()
            log.warning("lost contact with the hub: %s (retrying)", exc)
        else:
            log.debug("hub still unreachable: %s", exc)

    def _fatal(self, message: str) -> None:
        if self.exit_status == 0:
            log.error("%s; stopping", message)
        self.exit_status = 1
        self.shutdown()

    # -- claiming and running -----------------------------------------------
    def _worker(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            try:
                assignment = self.client.claim(self.labels, wait=self.claim_wait)
                delay = 1.0
            except HubError as exc:
                if exc.status == 401:
                    self._fatal(f"the hub no longer accepts this runner's token ({exc.detail})")
                    return
                log.warning("claiming a task failed: %s", exc)
                self.stopping.wait(delay)
                delay = min(delay * 2, 30.0)
                continue
            except Exception as exc:
                self._offline(exc)
                self.stopping.wait(delay)
                delay = min(delay * 2, 30.0)
                continue
            if assignment:
                self.run_task(assignment)

    def run_task(self, assignment: dict[str, Any]) -> None:
        """Run one assignment to its end (called by a worker thread; usable directly in tests)."""
        run = TaskRun(assignment, client=self.client, executor=self.executor, cache=self.cache,
                      work_dir=self.work_dir, runner_name=self.name, stop_grace=self.stop_grace)
        with self._lock:
            self._running[run.id] = run
        log.info("task %s: claimed (%s)", run.id, " ".join(map(str, run.task.get("command") or [])))
        if self.stopping.is_set():
            run.request_stop(SHUTTING_DOWN)
        try:
            outcome = run.run()
            detail = f" ({outcome.reason})" if outcome.reason else ""
            log.info("task %s: %s%s", run.id, outcome.state, detail)
        finally:
            with self._lock:
                self._running.pop(run.id, None)
                self._idle.notify_all()

    # -- lifetime -----------------------------------------------------------
    def run(self) -> int:
        """Heartbeat and work until ``shutdown()``; then stop and report running tasks. Returns the exit status."""
        threads = [threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)]
        threads += [threading.Thread(target=self._worker, name=f"worker-{i + 1}", daemon=True)
                    for i in range(self.concurrency)]
        for thread in threads:
            thread.start()
        while not self.stopping.wait(0.5):  # a timed wait lets signal handlers run in the main thread
            pass
        with self._lock:
            runs = list(self._running.values())
        for run in runs:
            run.request_stop(SHUTTING_DOWN)
        with self._idle:
            while self._running:
                self._idle.wait(0.5)
        self._finished.set()
        # Workers idle in a claim long-poll are daemon threads: left behind, not waited for.
        return self.exit_status

    def shutdown(self) -> None:
        """Stop claiming and make ``run()`` stop the running tasks and return. Safe from a signal handler."""
        self.stopping.set()
