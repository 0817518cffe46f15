"""What every benchmark needs: a real hub (and runner) in a temporary directory, and a logged-in ds."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.lib.processes import Ds, Hub, RunnerAgent, executable  # noqa: E402

__all__ = ["PASSWORD", "executable", "local_hub"]

PASSWORD = "bench-password"


@contextmanager
def local_hub(runner: bool = False, projects: tuple[str, ...] = ()) -> Iterator[tuple[Ds, Path]]:
    """A hub on 127.0.0.1 with user `bench` logged in (and a runner); everything stops and goes after."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        hub = Hub(tmp_path / "hub").start()
        agent = None
        try:
            hub.create_user("bench", PASSWORD)
            (tmp_path / "home").mkdir()
            ds = Ds(tmp_path / "home", hub.url, tmp_path / "cache")
            ds.login("bench", PASSWORD)
            for project in projects:
                ds.ok("project", "create", project)
            if runner:
                command = ds.ok("runner", "create", "-q").stdout.split()
                agent = RunnerAgent(hub.url, command[command.index("--token") + 1], tmp_path / "runner").start()
            yield ds, tmp_path
        finally:
            if agent:
                agent.stop()
            hub.stop()
