"""The default executor: the command as a local process, in its own session."""

from __future__ import annotations

import os
import signal
import subprocess

from dsrunner.executors.base import Executor, Job, JobSpec, JobStartError


class ProcessJob(Job):
    """A subprocess leading its own process group (start_new_session=True).

    Signals go to the whole group, so ``sh -c "python train.py"`` stops with its
    children. When the main process exits, whatever it left behind in the group
    is killed, so no stray process holds the log pipes open or outlives the task.
    """

    def __init__(self, popen: subprocess.Popen[bytes]):
        self.popen = popen
        self.pid = popen.pid
        assert popen.stdout is not None and popen.stderr is not None
        self.stdout = popen.stdout
        self.stderr = popen.stderr

    def wait(self) -> int:
        code = self.popen.wait()
        self._signal_group(signal.SIGKILL)  # leftovers of the job (background children)
        return code

    def terminate(self) -> None:
        self._signal_group(signal.SIGTERM)

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, sig: signal.Signals) -> None:
        # The group id is the leader's pid (setsid); it stays valid while any member
        # lives, even after the leader was reaped.
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


class ProcessExecutor(Executor):
    """Runs the task's command directly on the runner host (no isolation, no images)."""

    name = "process"

    def can_run(self, image: str | None) -> str | None:
        if image is None or image == "":
            return None
        return f"the process executor cannot run images (asked for {image}): start a runner with an executor that can"

    def start(self, spec: JobSpec) -> ProcessJob:
        if not spec.command:
            raise JobStartError("cannot start an empty command")
        try:
            popen = subprocess.Popen(
                spec.command, cwd=spec.cwd, env=spec.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise JobStartError(f"cannot start {spec.command[0]}: {exc.strerror or exc}") from exc
        return ProcessJob(popen)
