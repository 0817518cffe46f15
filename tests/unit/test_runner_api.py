"""AgentClient against a tiny fake hub (stdlib http.server on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dsrunner.api import AgentClient, BlobMismatch, HubError, HubUnreachable

TOKEN = "runner-token"


class FakeHub:
    """Just enough of the hub's agent API for the runner's tests; records what it was sent."""

    def __init__(self):
        self.blobs: dict[str, bytes] = {}
        self.assignments: queue.Queue = queue.Queue()
        self.logs: dict[str, dict[int, dict]] = {}
        self.log_posts = 0
        self.finished: dict[str, dict] = {}
        self.heartbeats: list[dict] = []
        self.claims: list[dict] = []
        self.stop: list[str] = []
        self.timeout = 15
        self.fail_next: dict[str, int] = {}  # path suffix -> how many 503s to answer first
        self.corrupt_blobs = False
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def add_blob(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.blobs[sha] = data
        return sha

    def lines(self, task_id: str) -> list[tuple[str, str]]:
        entries = self.logs.get(task_id, {})
        return [(entries[s]["stream"], entries[s]["line"]) for s in sorted(entries)]

    def wait_finished(self, task_id: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while task_id not in self.finished:
            if time.monotonic() > deadline:
                raise AssertionError(f"task {task_id} was not finished")
            time.sleep(0.02)
        return self.finished[task_id]

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, body=None, raw: bytes | None = None):
                data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str):
                body = self._body()
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, {"detail": "invalid runner token: use the token ds runner create printed"})
                path = self.path.split("?")[0]
                with hub.lock:
                    for suffix, count in list(hub.fail_next.items()):
                        if path.endswith(suffix) and count > 0:
                            hub.fail_next[suffix] = count - 1
                            return self._send(503, {"detail": "hub restarting"})
                prefix = "/v2/agent/"
                if not path.startswith(prefix):
                    return self._send(404, {"detail": "not found"})
                route = path[len(prefix):]
                data = json.loads(body) if body and method == "POST" else None
                if method == "POST" and route == "heartbeat":
                    hub.heartbeats.append(data)
                    stop, hub.stop = hub.stop, []
                    return self._send(200, {"stop": stop, "timeout": hub.timeout})
                if method == "POST" and route == "claim":
                    hub.claims.append(data)
                    try:
                        return self._send(200, hub.assignments.get(timeout=min(data.get("wait", 0), 0.2)))
                    except queue.Empty:
                        return self._send(204)
                if route.startswith("blobs/"):
                    name = route[len("blobs/"):]
                    if method == "POST" and name == "missing":
                        return self._send(200, {"missing": [s for s in data["sha256"] if s not in hub.blobs]})
                    if method == "GET":
                        if name not in hub.blobs:
                            return self._send(404, {"detail": f"no blob {name}"})
                        return self._send(200, raw=b"corrupt" if hub.corrupt_blobs else hub.blobs[name])
                    if method == "PUT":
                        if hashlib.sha256(body).hexdigest() != name:
                            return self._send(400, {"detail": "blob does not match its sha256"})
                        hub.blobs[name] = body
                        return self._send(204)
                if route.startswith("tasks/") and method == "POST":
                    _, task_id, what = route.split("/")
                    if what == "logs":
                        with hub.lock:
                            hub.log_posts += 1
                            stored = hub.logs.setdefault(task_id, {})
                            for e in data["entries"]:
                                stored.setdefault(e["seq"], e)
                        return self._send(204)
                    if what == "finish":
                        missing = [f["sha256"] for f in data["changes"]["put"].values() if f["sha256"] not in hub.blobs]
                        if missing:
                            return self._send(409, {"detail": f"blob {missing[0]} was not uploaded"})
                        hub.finished[task_id] = data
                        return self._send(204)
                return self._send(404, {"detail": f"no route {method} {path}"})

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

            def do_PUT(self):
                self._route("PUT")

        return Handler


@pytest.fixture
def hub():
    fake = FakeHub()
    yield fake
    fake.close()


@pytest.fixture
def client(hub):
    return AgentClient(hub.url, TOKEN, retry_for=5, retry_delay=0.01)


def test_heartbeat_sends_the_runner_state_and_returns_stop_requests(hub, client):
    hub.stop = ["t1"]
    resp = client.heartbeat(labels={"gpu": "*"}, concurrency=2, running=["t1"], executors=["process"],
                            hostname="box", version="0.1.0")
    assert resp == {"stop": ["t1"], "timeout": 15}
    assert hub.heartbeats == [{"labels": {"gpu": "*"}, "concurrency": 2, "running": ["t1"],
                               "executors": ["process"], "hostname": "box", "version": "0.1.0"}]


def test_a_wrong_token_is_a_hub_error_401(hub):
    with pytest.raises(HubError) as info:
        AgentClient(hub.url, "wrong").claim({}, wait=0)
    assert info.value.status == 401 and info.value.permanent
    assert "invalid runner token" in str(info.value)


def test_claim_returns_none_without_work_and_the_assignment_with(hub, client):
    assert client.claim({"a": "b"}, wait=0.1) is None
    hub.assignments.put({"task": {"id": "t1"}, "manifest": {}})
    assert client.claim({"a": "b"}, wait=0.1) == {"task": {"id": "t1"}, "manifest": {}}
    assert hub.claims[0] == {"labels": {"a": "b"}, "wait": 0.1}


def test_get_blob_downloads_and_verifies(hub, client, tmp_path):
    sha = hub.add_blob(b"weights" * 1000)
    dest = tmp_path / "cache" / sha[:2] / sha
    client.get_blob(sha, str(dest))
    assert dest.read_bytes() == b"weights" * 1000
    assert os.listdir(dest.parent) == [sha]  # no temp file left


def test_get_blob_refuses_bytes_that_do_not_match(hub, client, tmp_path):
    sha = hub.add_blob(b"good")
    hub.corrupt_blobs = True
    dest = tmp_path / sha
    with pytest.raises(BlobMismatch):
        client.get_blob(sha, str(dest))
    assert os.listdir(tmp_path) == []


def test_missing_blobs_and_put_blob(hub, client, tmp_path):
    have = hub.add_blob(b"have")
    new = tmp_path / "new.bin"
    new.write_bytes(b"new bytes")
    new_sha = hashlib.sha256(b"new bytes").hexdigest()
    assert client.missing_blobs([have, new_sha, new_sha]) == [new_sha]
    client.put_blob(new_sha, str(new))
    assert hub.blobs[new_sha] == b"new bytes"
    with pytest.raises(HubError) as info:
        client.put_blob("0" * 64, str(new))
    assert info.value.status == 400


def test_transient_errors_are_retried_with_a_fresh_body(hub, client, tmp_path):
    hub.fail_next = {"/heartbeat": 2}
    client.heartbeat(labels={}, concurrency=1, running=[], executors=[], hostname="h", version="v")
    assert len(hub.heartbeats) == 1
    f = tmp_path / "f"
    f.write_bytes(b"retry me")
    sha = hashlib.sha256(b"retry me").hexdigest()
    hub.fail_next = {f"/blobs/{sha}": 1}
    client.put_blob(sha, str(f))
    assert hub.blobs[sha] == b"retry me"


def test_without_retries_the_first_failure_is_raised(hub):
    hub.fail_next = {"/heartbeat": 1}
    with pytest.raises(HubError) as info:
        AgentClient(hub.url, TOKEN, retry_for=0).heartbeat(labels={}, concurrency=1, running=[], executors=[],
                                                           hostname="h", version="v")
    assert info.value.status == 503


def test_an_unreachable_hub_is_reported_plainly():
    with pytest.raises(HubUnreachable, match="cannot reach the hub at http://127.0.0.1:9: Connection refused"):
        AgentClient("http://127.0.0.1:9", TOKEN, retry_for=0).claim({}, wait=0)


def test_send_logs_and_finish(hub, client):
    client.send_logs("t1", [{"seq": 1, "ts": "2026-01-01T00:00:00.000000Z", "stream": "stdout", "line": "hi"}])
    assert hub.lines("t1") == [("stdout", "hi")]
    client.finish("t1", "failed", 3, "exit code 3", {"put": {}, "delete": ["a"]})
    assert hub.finished["t1"] == {"state": "failed", "exit_code": 3, "reason": "exit code 3",
                                  "changes": {"put": {}, "delete": ["a"]}}
