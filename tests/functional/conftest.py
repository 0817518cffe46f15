"""Functional fixtures: a real hub process for the session, the installed ds per test."""

from __future__ import annotations

import itertools

import pytest

from tests.lib.processes import Ds, Hub

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
