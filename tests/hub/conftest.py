"""The hub's own tests: the FastAPI app in-process, on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when $DSHUB_TEST_DATABASE_URL names a database the tests may
use (`.ci/run` sets one up); without it those cases are skipped. Each test
session works in a schema of its own, emptied before every test and dropped at
the end, so sessions running at once against one database do not collide.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dshub import db
from dshub.app import create_app
from dshub.core.config import Settings
from dshub.users import create_user

PG_URL = os.environ.get("DSHUB_TEST_DATABASE_URL")
PASSWORD = "hub-test-password"


def _run(url: str, *statements: str) -> None:
    engine = db.make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    """(schema, URL whose connections use only that schema) for this test session."""
    if not PG_URL:
        pytest.skip("DSHUB_TEST_DATABASE_URL is not set")
    schema = f"dshub_test_{os.getpid()}_{secrets.token_hex(4)}"
    _run(PG_URL, f'CREATE SCHEMA "{schema}"')
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield schema, url.render_as_string(hide_password=False)
    finally:
        _run(PG_URL, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    schema, url = request.getfixturevalue("postgres_schema")
    _run(url, f'DROP SCHEMA "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"')
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(Settings(tmp_path / "data", database_url))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


@pytest.fixture
def make_user(app, client):
    def make(name: str) -> dict:
        with app.state.sessions() as session:
            create_user(session, name, PASSWORD)
        response = client.post("/v2/auth/login", json={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        return {"name": name, "api_key": body["api_key"], "auth": (name, body["api_key"])}

    return make
