"""A fake hub for the runner's unit tests: the agent API over stdlib http.server on 127.0.0.1.

Unit tests may fake the hub; the functional tests run the real one.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
