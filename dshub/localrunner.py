"""The process runner `ds-hub up` starts next to the hub, so jobs run out of the box."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path


class LocalRunner:
    """A `ds-runner` child process, started once the hub serves and stopped with it."""

    def __init__(self, server_url: str, token: str, work_dir: Path, server) -> None:
        self.server_url, self.token, self.work_dir, self.server = server_url, token, work_dir, server
        self.proc: subprocess.Popen | None = None
        self._stopping = threading.Event()
        # Spawning and stopping take turns: a hub stopped just as it started serving
        # must not spawn a runner after stop() has looked for one (it would be orphaned).
        self._lock = threading.Lock()

    def start_when_serving(self) -> None:
        threading.Thread(target=self._start, name="local-runner", daemon=True).start()

    def _start(self) -> None:
        while not self.server.started:  # the agent needs the hub to answer
            if self._stopping.wait(0.05):
                return
        executable = Path(sys.executable).with_name("ds-runner")
        argv = [str(executable)] if executable.exists() else [sys.executable, "-m", "dsrunner"]
        with self._lock:
            if self._stopping.is_set():
                return
            self.proc = subprocess.Popen(
                [*argv, "--server", self.server_url, "--work-dir", str(self.work_dir)],
                env={**os.environ, "DS_RUNNER_TOKEN": self.token}, stdin=subprocess.DEVNULL,
            )

    def stop(self, grace: float = 30) -> None:
        with self._lock:
            self._stopping.set()
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        deadline = time.monotonic() + grace
        while self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
