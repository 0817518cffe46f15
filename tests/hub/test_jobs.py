"""Tasks, runners, logs and workspaces through the API and the services."""

from __future__ import annotations

import hashlib
import threading

from dshub import jobs
from dshub.models import Runner
from dshub.workspaces import apply_changes, manifest


def blob(data: bytes) -> dict:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "mode": 0o644, "mtime": 1.0}


def make_runner(client, user, **body):
    response = client.post("/v2/runners", json=body, auth=user["auth"])
    assert response.status_code == 201, response.text
    runner = response.json()
    return runner, {"Authorization": f"Bearer {runner['token']}"}


def make_project(client, user, name="p"):
    return client.post("/v2/projects", json={"name": name}, auth=user["auth"]).json()


def run_task(client, user, project, command=("true",), **extra):
    response = client.post("/v2/tasks", json={"project": project["id"], "command": list(command), **extra},
                           auth=user["auth"])
    assert response.status_code == 201, response.text
    return response.json()


def test_labels_match_rule():
    assert jobs.labels_match({}, {})
    assert jobs.labels_match({"gpu": "1"}, {"gpu": "1", "zone": "a"})
    assert jobs.labels_match({"gpu": "2"}, {"gpu": "*"})
    assert not jobs.labels_match({"gpu": "2"}, {"gpu": "1"})
    assert not jobs.labels_match({"gpu": "1"}, {})


def test_runner_create_shows_token_once_and_defaults(client, make_user):
    alice = make_user("alice")
    runner, _ = make_runner(client, alice)
    assert runner["name"].endswith("-untitled") and runner["type"] == "cpu" and runner["size_gb"] == 10
    assert runner["status"] == "offline" and runner["token"].startswith("dsr_")
    listed = client.get("/v2/runners", auth=alice["auth"]).json()
    assert "token" not in listed[0] and listed[0]["id"] == runner["id"]


def test_runner_token_authenticates_only_the_agent_api(client, make_user):
    alice = make_user("alice")
    _, agent = make_runner(client, alice)
    assert client.post("/v2/agent/heartbeat", json={}, headers=agent).status_code == 200
    assert client.get("/v2/projects", headers=agent).status_code == 401
    assert client.post("/v2/agent/heartbeat", json={}, auth=alice["auth"]).status_code == 401


def test_task_lifecycle_claim_logs_finish(client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    runner, agent = make_runner(client, alice, name="r1")
    task = run_task(client, alice, project, ("echo", "hi"), env={"A": "1"}, labels={"gpu": "1"})
    assert task["state"] == "queued"
    # the runner lacks the label: no claim
    assert client.post("/v2/agent/claim", json={"labels": {}, "wait": 0}, headers=agent).status_code == 204
    assignment = client.post("/v2/agent/claim", json={"labels": {"gpu": "*"}, "wait": 0}, headers=agent).json()
    assert assignment["task"]["id"] == task["id"] and assignment["manifest"] == {}
    assert assignment["task"]["env"] == {"A": "1"} and assignment["task"]["state"] == "running"
    entries = [{"seq": i, "ts": "2026-01-01T00:00:00Z", "stream": "stdout", "line": f"l{i}"} for i in range(2, 5)]
    sent = client.post(f"/v2/agent/tasks/{task['id']}/logs", json={"entries": entries}, headers=agent)
    assert sent.status_code == 204
    # a resent batch is ignored
    client.post(f"/v2/agent/tasks/{task['id']}/logs", json={"entries": entries}, headers=agent)
    data = b"result"
    client.put(f"/v2/agent/blobs/{blob(data)['sha256']}", content=data, headers=agent)
    finish = {"state": "succeeded", "exit_code": 0, "changes": {"put": {"out/result.txt": blob(data)}}}
    assert client.post(f"/v2/agent/tasks/{task['id']}/finish", json=finish, headers=agent).status_code == 204
    done = client.get(f"/v2/tasks/{task['id'][:8]}", auth=alice["auth"]).json()
    assert done["state"] == "succeeded" and done["exit_code"] == 0 and done["workspace_version_out"]
    logs = client.get(f"/v2/tasks/{task['id']}/logs", auth=alice["auth"]).json()
    assert [e["line"] for e in logs["entries"]][-3:] == ["l2", "l3", "l4"] and logs["done"]
    assert logs["entries"][0]["stream"] == "system"
    later = client.get(f"/v2/tasks/{task['id']}/logs", params={"after": logs["next"]}, auth=alice["auth"]).json()
    assert later["entries"] == [] and later["done"]
    detail = client.get(f"/v2/runners/{runner['id']}", auth=alice["auth"]).json()
    assert [t["id"] for t in detail["tasks"]] == [task["id"]] and detail["status"] == "online"


def test_blob_upload_checks_the_hash(client, make_user):
    alice = make_user("alice")
    _, agent = make_runner(client, alice)
    response = client.put(f"/v2/agent/blobs/{'0' * 64}", content=b"x", headers=agent)
    assert response.status_code == 400


def test_finish_refuses_unsafe_paths_and_missing_blobs(client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    _, agent = make_runner(client, alice)
    task = run_task(client, alice, project)
    client.post("/v2/agent/claim", json={"wait": 0}, headers=agent)
    for path in ("../escape", "/etc/passwd", "a/../../b", ""):
        body = {"state": "succeeded", "exit_code": 0, "changes": {"put": {path: blob(b"x")}}}
        response = client.post(f"/v2/agent/tasks/{task['id']}/finish", json=body, headers=agent)
        assert response.status_code == 422, path
    body = {"state": "succeeded", "exit_code": 0, "changes": {"put": {"ok": blob(b"never uploaded")}}}
    assert client.post(f"/v2/agent/tasks/{task['id']}/finish", json=body, headers=agent).status_code == 409


def test_stop_queued_task_and_rm_rules(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    project = make_project(client, alice)
    queued = run_task(client, alice, project)
    assert client.delete(f"/v2/tasks/{queued['id']}", auth=alice["auth"]).status_code == 409
    assert client.delete(f"/v2/tasks/{queued['id']}", auth=bob["auth"]).status_code == 404
    assert client.post(f"/v2/tasks/{queued['id']}/stop", auth=alice["auth"]).json()["state"] == "stopped"
    assert client.delete(f"/v2/tasks/{queued['id']}", auth=alice["auth"]).status_code == 204
    assert client.get(f"/v2/tasks/{queued['id']}", auth=alice["auth"]).status_code == 404


def test_running_task_stop_reaches_the_runner_heartbeat(client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    _, agent = make_runner(client, alice)
    task = run_task(client, alice, project)
    client.post("/v2/agent/claim", json={"wait": 0}, headers=agent)
    assert client.post(f"/v2/tasks/{task['id']}/stop", auth=alice["auth"]).json()["state"] == "stopping"
    beat = client.post("/v2/agent/heartbeat", json={"running": [task["id"]]}, headers=agent).json()
    assert beat["stop"] == [task["id"]]


def test_concurrent_claimers_run_each_task_exactly_once(app, client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    agents = [make_runner(client, alice)[1] for _ in range(4)]
    tasks = [run_task(client, alice, project)["id"] for _ in range(40)]
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer(runner_id: str) -> None:
        with app.state.sessions() as session:
            runner = session.get(Runner, runner_id)
            while (task := jobs.claim(session, runner)) is not None:
                with lock:
                    claimed.append(task.id)

    runner_ids = [r["id"] for r in client.get("/v2/runners", auth=alice["auth"]).json()]
    assert len(agents) == len(runner_ids)
    threads = [threading.Thread(target=claimer, args=(rid,)) for rid in runner_ids for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(tasks)


def test_changes_apply_on_top_of_the_newest_version(app, client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    with app.state.sessions() as session:
        first = apply_changes(session, project["id"], {"a": blob(b"a"), "b": blob(b"b")}, [])
        second = apply_changes(session, project["id"], {"c": blob(b"c")}, ["a"])
        assert set(manifest(session, second)) == {"b", "c"}
        assert apply_changes(session, project["id"], {}, []) == second
        assert set(manifest(session, first)) == {"a", "b"}


def test_silent_runner_tasks_become_lost(app, client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    _, agent = make_runner(client, alice)
    task = run_task(client, alice, project)
    client.post("/v2/agent/claim", json={"wait": 0}, headers=agent)
    with app.state.sessions() as session:
        assert jobs.mark_lost(session, timeout=-1) == 1
    lost = client.get(f"/v2/tasks/{task['id']}", auth=alice["auth"]).json()
    assert lost["state"] == "lost" and "went silent" in lost["reason"]


def test_expired_terminated_tasks_are_removed(app, client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    task = run_task(client, alice, project)
    client.post(f"/v2/tasks/{task['id']}/stop", auth=alice["auth"])
    with app.state.sessions() as session:
        assert jobs.remove_expired(session, days=1) == 0
        assert jobs.remove_expired(session, days=-1) == 1
    assert client.get(f"/v2/tasks/{task['id']}", auth=alice["auth"]).status_code == 404


def test_task_and_runner_prefixes_must_be_unique(client, make_user):
    alice = make_user("alice")
    project = make_project(client, alice)
    ids = [run_task(client, alice, project)["id"] for _ in range(20)]
    shared = next(a[0] for a in ids if sum(b[0] == a[0] for b in ids) > 1)
    response = client.get(f"/v2/tasks/{shared}", auth=alice["auth"])
    assert response.status_code == 409
    assert client.get("/v2/tasks/zzz", auth=alice["auth"]).json() == {"detail": "no task 'zzz'"}


def test_upload_with_a_missing_blob_changes_nothing(client, make_user):
    alice = make_user("alice")
    make_project(client, alice, "P")
    data = b"present"
    client.put(f"/v2/blobs/{blob(data)['sha256']}", content=data, auth=alice["auth"])
    first = client.post("/v2/projects/P/workspace", json={"files": {"a.txt": blob(data)}}, auth=alice["auth"])
    assert first.status_code == 201
    before = client.get("/v2/projects/P/files", auth=alice["auth"]).json()
    files = {"b.txt": blob(b"never sent"), "a.txt": blob(b"x")}
    failed = client.post("/v2/projects/P/workspace", json={"files": files}, auth=alice["auth"])
    assert failed.status_code == 409 and "nothing was changed" in failed.json()["detail"]
    assert client.get("/v2/projects/P/files", auth=alice["auth"]).json() == before
    assert [f["name"] for f in before["files"]] == ["a.txt"]


def test_blob_batch_stores_each_blob_and_refuses_a_bad_one(app, client, make_user):
    alice = make_user("alice")
    good = [b"one", b"two" * 1000]
    body = b"".join(blob(d)["sha256"].encode() + f"{len(d):016x}".encode() + d for d in good)
    assert client.post("/v2/blobs/batch", content=body, auth=alice["auth"]).status_code == 204
    assert all(app.state.blobs.has(blob(d)["sha256"]) for d in good)
    lying = blob(b"claimed")["sha256"].encode() + f"{7:016x}".encode() + "другое".encode()[:7]
    assert client.post("/v2/blobs/batch", content=lying, auth=alice["auth"]).status_code == 400
    assert not app.state.blobs.has(blob(b"claimed")["sha256"])
    truncated = blob(b"abc")["sha256"].encode() + f"{3:016x}".encode() + b"ab"
    assert client.post("/v2/blobs/batch", content=truncated, auth=alice["auth"]).status_code == 400
    assert client.post("/v2/blobs/batch", content=b"x" * 10, auth=alice["auth"]).status_code == 400
