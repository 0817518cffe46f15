"""Stopping the hub does not wait for long polls (runner claims, `ds logs -f`)."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

from tests.hub.conftest import PASSWORD
from tests.lib.processes import executable


def _queued_task_and_runner(client, user) -> tuple[dict, dict]:
    """A task no runner will claim (it wants a GPU), and the headers of a runner."""
    project = client.post("/v2/projects", json={"name": "p"}, auth=user["auth"]).json()
    task = client.post("/v2/tasks", json={"project": project["id"], "command": ["true"], "labels": {"gpu": "1"}},
                       auth=user["auth"]).json()
    runner = client.post("/v2/runners", json={}, auth=user["auth"]).json()
    return task, {"Authorization": f"Bearer {runner['token']}"}


def test_long_polls_return_at_once_when_the_hub_is_stopping(app, client, make_user):
    alice = make_user("alice")
    task, agent = _queued_task_and_runner(client, alice)
    app.state.stopping.set()
    started = time.monotonic()
    assert client.post("/v2/agent/claim", json={"wait": 20}, headers=agent).status_code == 204
    logs = client.get(f"/v2/tasks/{task['id']}/logs", params={"wait": 30}, auth=alice["auth"])
    assert logs.status_code == 200 and logs.json()["entries"] == [] and logs.json()["done"] is False
    assert time.monotonic() - started < 5


def _call(url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read() or b"null")


def test_serve_stops_promptly_while_a_claim_and_a_log_follow_wait(tmp_path):
    data = tmp_path / "data"
    subprocess.run([executable("ds-hub"), "user", "create", "alice", "--password-stdin", "--data-dir", str(data)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True, timeout=60)
    out_path = tmp_path / "hub.out"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([executable("ds-hub"), "serve", "--data-dir", str(data), "--port", "0"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while "listening on" not in out_path.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out_path.read_text()
            time.sleep(0.05)
        url = out_path.read_text().split("listening on ")[1].split()[0]
        key = _call(url + "/v2/auth/login", "POST", {"username": "alice", "password": PASSWORD})[1]["api_key"]
        auth = {"Authorization": f"Bearer {key}"}
        project = _call(url + "/v2/projects", "POST", {"name": "p"}, auth)[1]
        task = _call(url + "/v2/tasks", "POST", {"project": project["id"], "command": ["true"],
                                                "labels": {"gpu": "1"}}, auth)[1]
        agent = {"Authorization": f"Bearer {_call(url + '/v2/runners', 'POST', {}, auth)[1]['token']}"}

        answers: list[object] = []

        def poll(*args) -> None:
            try:
                answers.append(_call(*args)[0])
            except (urllib.error.URLError, ConnectionError) as exc:  # cut off: also fine, as long as it is quick
                answers.append(exc)

        polls = [threading.Thread(target=poll, args=(url + "/v2/agent/claim", "POST", {"wait": 20}, agent)),
                 threading.Thread(target=poll, args=(f"{url}/v2/tasks/{task['id']}/logs?wait=30", "GET", None, auth))]
        for thread in polls:
            thread.start()
        time.sleep(0.5)  # both are waiting now
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert time.monotonic() - started < 5, "the hub waited for its long polls"
        for thread in polls:
            thread.join(30)
        assert len(answers) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
