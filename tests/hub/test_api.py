"""The HTTP API as docs/api.md describes it."""

from __future__ import annotations

import re

from sqlalchemy import text

from dshub import db
from tests.hub.conftest import PASSWORD

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


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
    for name, words in (("", "at least 1"), ("x" * 101, "at most 100"), (" padded", "spaces"), ("a\nb", "control")):
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
