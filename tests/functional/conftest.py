"""Functional fixtures: a real hub process for the session, the installed ds per test."""

from __future__ import annotations

import itertools
import time

import pytest

from tests.lib.processes import Ds, Hub, RunnerAgent

_users = itertools.count(1)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("hub") / "data").start()
    yield hub
    hub.stop()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    # Shared by the session so ds builds its command table once, not per test.
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def make_ds(tmp_path, hub, cache_dir):
    homes = itertools.count(1)

    def make(server_url: str | None = hub.url) -> Ds:
        home = tmp_path / f"home{next(homes)}"
        home.mkdir()
        return Ds(home, server_url, cache_dir)

    return make


@pytest.fixture
def ds(make_ds) -> Ds:
    """ds, pointed at the session's hub, not logged in."""
    return make_ds()


@pytest.fixture
def new_user(hub):
    def make() -> str:
        name = f"user{next(_users)}"
        hub.create_user(name, PASSWORD)
        return name

    return make


@pytest.fixture
def alice(ds, new_user) -> Ds:
    """ds, logged in as a fresh user with no projects."""
    ds.user = new_user()
    ds.login(ds.user, PASSWORD)
    return ds


RUNNER_TIMEOUT = 3  # seconds of silence before the hub calls a runner offline


@pytest.fixture(scope="session")
def jobs_hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("jobs-hub") / "data",
              env={"DSHUB_RUNNER_TIMEOUT": str(RUNNER_TIMEOUT)}).start()
    yield hub
    hub.stop()


@pytest.fixture
def user(jobs_hub, tmp_path, cache_dir, request) -> Ds:
    """A logged-in user of the jobs hub, with a project P and no runner yet."""
    name = f"{request.node.name[:40].replace('[', '-').replace(']', '')}-{time.monotonic_ns() % 10**6}"
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    jobs_hub.create_user(name, PASSWORD)
    (tmp_path / "home").mkdir()
    ds = Ds(tmp_path / "home", jobs_hub.url, cache_dir)
    ds.login(name, PASSWORD)
    ds.ok("project", "create", "P")
    return ds


@pytest.fixture
def start_runner(user, jobs_hub, tmp_path):
    agents: list[RunnerAgent] = []

    def start(*labels: str, name: str | None = None) -> RunnerAgent:
        command = user.ok("runner", "create", "-q", *([name] if name else [])).stdout.split()
        token = command[command.index("--token") + 1]
        agent = RunnerAgent(jobs_hub.url, token, tmp_path / f"runner{len(agents)}", labels=labels).start()
        agents.append(agent)
        return agent

    yield start
    for agent in agents:
        agent.stop()
