"""The HTTP API as docs/api.md describes it."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from dshub import db
from dshub.models import Project
from tests.hub.conftest import PASSWORD

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_health_needs_no_auth(client):
    response = client.get("/v2/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_openapi_spec_is_served(client):
    assert "/v2/projects" in client.get("/openapi.json").json()["paths"]


def test_login_returns_a_new_api_key_each_time(client, make_user):
    alice = make_user("alice")
    again = client.post("/v2/auth/login", json={"username": "alice", "password": PASSWORD}).json()
    assert again["api_key"] != alice["api_key"] and again["username"] == "alice"


def test_login_with_wrong_password_or_unknown_user_is_401_one_line(client, make_user):
    make_user("alice")
    for body in ({"username": "alice", "password": "nope"}, {"username": "nobody", "password": "x"}):
        response = client.post("/v2/auth/login", json=body)
        assert response.status_code == 401
        assert response.json() == {"detail": "invalid username or password"}


def test_api_keys_are_stored_hashed(app, make_user):
    alice = make_user("alice")
    with app.state.engine.connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(text("SELECT * FROM api_keys")))
        users = " ".join(str(row) for row in connection.execute(text("SELECT * FROM users")))
    assert alice["api_key"] not in dump
    assert PASSWORD not in users and "scrypt$" in users


def test_basic_and_bearer_auth_both_work(client, make_user):
    alice = make_user("alice")
    assert client.get("/v2/users/me", auth=alice["auth"]).json()["name"] == "alice"
    bearer = {"Authorization": f"Bearer {alice['api_key']}"}
    assert client.get("/v2/users/me", headers=bearer).json()["name"] == "alice"


def test_missing_wrong_or_mismatched_credentials_are_401(client, make_user):
    alice = make_user("alice")
    make_user("bob")
    assert client.get("/v2/projects").status_code == 401
    assert client.get("/v2/projects", auth=("alice", "wrong")).status_code == 401
    assert client.get("/v2/projects", auth=("bob", alice["api_key"])).status_code == 401
    assert client.get("/v2/projects", headers={"Authorization": "Basic !!!"}).status_code == 401


def test_revoked_key_stops_working(client, make_user):
    alice = make_user("alice")
    assert client.delete("/v2/auth/api-key", auth=alice["auth"]).status_code == 204
    assert client.get("/v2/projects", auth=alice["auth"]).status_code == 401


def test_project_create_list_inspect_delete(client, make_user):
    alice = make_user("alice")
    created = client.post("/v2/projects", json={"name": "mnist"}, auth=alice["auth"])
    assert created.status_code == 201
    project = created.json()
    assert list(project) == ["id", "name", "owner", "dots", "collaborators", "datasets", "created_at"]
    assert project["owner"] == "alice" and project["dots"] == 1 and ISO_UTC.match(project["created_at"])
    assert client.get("/v2/projects", auth=alice["auth"]).json() == [project]
    assert client.get(f"/v2/projects/{project['id']}", auth=alice["auth"]).json() == project
    assert client.get("/v2/projects/mnist", auth=alice["auth"]).json() == project
    assert client.delete("/v2/projects/mnist", auth=alice["auth"]).status_code == 204
    assert client.get("/v2/projects", auth=alice["auth"]).json() == []


def test_project_get_by_ambiguous_name_is_409_listing_ids(client, make_user):
    alice = make_user("alice")
    ids = [client.post("/v2/projects", json={"name": "twin"}, auth=alice["auth"]).json()["id"] for _ in range(2)]
    response = client.get("/v2/projects/twin", auth=alice["auth"])
    assert response.status_code == 409
    assert response.json()["matches"] == ids and all(i in response.json()["detail"] for i in ids)
    assert client.delete("/v2/projects/twin", auth=alice["auth"]).status_code == 409


def test_unknown_project_is_404_with_its_name(client, make_user):
    alice = make_user("alice")
    response = client.get("/v2/projects/nope", auth=alice["auth"])
    assert response.status_code == 404 and response.json() == {"detail": "no project named 'nope'"}


def test_another_users_project_is_404_on_get_and_delete(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    project = client.post("/v2/projects", json={"name": "secret"}, auth=alice["auth"]).json()
    for ref in (project["id"], "secret"):
        assert client.get(f"/v2/projects/{ref}", auth=bob["auth"]).status_code == 404
        assert client.delete(f"/v2/projects/{ref}", auth=bob["auth"]).status_code == 404
    assert client.get("/v2/projects", auth=bob["auth"]).json() == []
    assert client.get(f"/v2/projects/{project['id']}", auth=alice["auth"]).status_code == 200


def test_project_names_with_slashes_resolve(client, make_user):
    alice = make_user("alice")
    project = client.post("/v2/projects", json={"name": "team/a b"}, auth=alice["auth"]).json()
    assert client.get("/v2/projects/team%2Fa%20b", auth=alice["auth"]).json()["id"] == project["id"]


def test_validation_errors_are_one_line_strings(client, make_user):
    alice = make_user("alice")
    for name, words in (("", "at least 1"), ("x" * 101, "at most 100"), (" padded", "spaces"), ("a\nb", "control"),
                        ("a\x85b", "control"), ("a\u2028b", "control")):
        response = client.post("/v2/projects", json={"name": name}, auth=alice["auth"])
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail and words in detail, detail
    assert client.post("/v2/projects", content=b"{", auth=alice["auth"],
                       headers={"Content-Type": "application/json"}).status_code == 422


def test_migrations_run_twice_are_idempotent(app):
    db.upgrade(app.state.engine)
    db.upgrade(app.state.engine)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    with app.state.engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert current == ScriptDirectory.from_config(config).get_current_head()


def test_health_reports_the_package_version(client):
    import dshub

    assert client.get("/v2/health").json() == {"status": "ok", "version": dshub.__version__}


def test_users_me_shows_id_name_and_utc_created_at(client, make_user):
    alice = make_user("alice")
    me = client.get("/v2/users/me", auth=alice["auth"]).json()
    assert sorted(me) == ["created_at", "id", "name"] and me["name"] == "alice"
    assert UUID4.match(me["id"]) and ISO_UTC.match(me["created_at"])


def test_project_ids_are_uuid4(client, make_user):
    alice = make_user("alice")
    assert UUID4.match(client.post("/v2/projects", json={"name": "p"}, auth=alice["auth"]).json()["id"])


def test_project_list_is_oldest_first_and_one_query_for_hundreds_of_projects(app, client, make_user):
    alice = make_user("alice")
    user_id = client.get("/v2/users/me", auth=alice["auth"]).json()["id"]
    first = client.post("/v2/projects", json={"name": "first"}, auth=alice["auth"]).json()

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        assert client.get("/v2/projects", auth=alice["auth"]).status_code == 200
        for_one = len(statements)
        with app.state.sessions() as session:
            session.add_all(Project(owner_id=user_id, name=f"p{i}") for i in range(300))
            session.commit()
        statements.clear()
        listed = client.get("/v2/projects", auth=alice["auth"]).json()
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
    assert len(listed) == 301 and listed[0] == first
    assert len(statements) == for_one, statements  # no query per project


def test_project_ref_with_control_characters_gets_a_one_line_404(client, make_user):
    alice = make_user("alice")
    response = client.get("/v2/projects/a%09b", auth=alice["auth"])
    assert response.status_code == 404 and response.json() == {"detail": "no project named 'a\\tb'"}


def test_malformed_json_and_non_object_bodies_are_one_line_422(client):
    for body in (b"{", b"[]", b'{"username": 1}'):
        response = client.post("/v2/auth/login", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, body
        detail = response.json()["detail"]
        assert list(response.json()) == ["detail"] and isinstance(detail, str) and "\n" not in detail
    invalid = client.post("/v2/auth/login", content=b"{", headers={"Content-Type": "application/json"})
    assert invalid.json()["detail"].startswith("the request body is not valid JSON")
    wrong_type = client.post("/v2/auth/login", json={"username": 1, "password": "x"})
    assert wrong_type.json() == {"detail": "username: Input should be a valid string"}


def test_unknown_routes_and_methods_have_string_details(client):
    assert client.get("/v2/nothing-here").json() == {"detail": "Not Found"}
    response = client.put("/v2/health")
    assert response.status_code == 405 and response.json() == {"detail": "Method Not Allowed"}


def test_internal_errors_are_500_with_a_one_line_detail(app):
    def boom() -> None:
        raise RuntimeError("line one\nline two")

    app.add_api_route("/v2/test-boom", boom)
    response = TestClient(app, raise_server_exceptions=False).get("/v2/test-boom")
    assert response.status_code == 500
    assert list(response.json()) == ["detail"] and "line" not in response.json()["detail"]


def test_sqlite_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with engine.connect() as connection:
            pragma = {name: connection.execute(text(f"PRAGMA {name}")).scalar()
                      for name in ("journal_mode", "foreign_keys", "busy_timeout")}
    finally:
        engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}


def test_upgrade_takes_a_database_url_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    db.upgrade(url)
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    finally:
        engine.dispose()
    assert {"users", "api_keys", "projects", "alembic_version"} <= tables


def test_hubs_starting_at_once_on_one_postgresql_database_take_turns_migrating(postgres_schema):
    schema, url = postgres_schema
    engine = db.make_engine(url)
    try:
        with ThreadPoolExecutor(4) as pool:
            for _ in range(3):
                with engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                list(pool.map(db.upgrade, [url] * 4))  # re-raises what any of them raised
    finally:
        engine.dispose()


def test_a_user_created_twice_at_once_is_refused_by_the_unique_name(app, monkeypatch):
    from dshub import users

    with app.state.sessions() as session:
        users.create_user(session, "carol", PASSWORD)
    # As if another process created carol between this one's check and its insert.
    monkeypatch.setattr(users, "user_exists", lambda _session, _name: False)
    with app.state.sessions() as session, pytest.raises(users.UserError, match="'carol' already exists"):
        users.create_user(session, "carol", PASSWORD)
