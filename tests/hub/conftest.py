"""The hub's own tests: the FastAPI app in-process, on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when $DSHUB_TEST_DATABASE_URL names a database the tests may
empty (`.ci/run` sets one up); without it those cases are skipped.
"""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from dshub import db
from dshub.app import create_app
from dshub.core.config import Settings
from dshub.users import create_user

PG_URL = os.environ.get("DSHUB_TEST_DATABASE_URL")
PASSWORD = "hub-test-password"


def _reset_postgres(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    if not PG_URL:
        pytest.skip("DSHUB_TEST_DATABASE_URL is not set")
    _reset_postgres(PG_URL)
    return PG_URL


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
