"""AgentClient: the runner's side of the hub's agent API (``/v2/agent/...``).

One place for the base URL, the Bearer token, timeouts, retries and error
mapping; everything else in dsrunner calls these methods.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
# Statuses a hub (or the proxy in front of it) returns while restarting: worth a retry.
RETRY_STATUSES = {502, 503, 504}


class HubError(Exception):
    """The hub answered with an error status; ``detail`` is its one-line explanation."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"{detail} (HTTP {status})")
        self.status = status
        self.detail = detail

    @property
    def permanent(self) -> bool:
        """True when resending the same request cannot help (4xx other than 408/429)."""
        return 400 <= self.status < 500 and self.status not in (408, 429)


class HubUnreachable(Exception):
    """The hub could not be reached (connection refused, DNS, timeout) even after retrying."""


class BlobMismatch(Exception):
    """A downloaded blob's bytes do not hash to the name it was asked for."""


class AgentClient:
    """A requests.Session speaking the agent API with a runner token.

    Connection errors and 502/503/504 are retried with exponential backoff for up
    to ``retry_for`` seconds (0: a single attempt, which is what start-up wants so
    that a wrong URL fails fast). ``should_give_up`` lets the agent cut retries
    short while it shuts down.
    """

    def __init__(self, server: str, token: str, *, retry_for: float = 300.0, retry_delay: float = 0.5,
                 session: requests.Session | None = None,
                 should_give_up: Callable[[], bool] | None = None):
        self.server = server.rstrip("/")
        self.retry_for = retry_for
        self.retry_delay = retry_delay
        self.should_give_up = should_give_up or (lambda: False)
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["User-Agent"] = "ds-runner"

    # -- plumbing -----------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.server}/v2/agent/{path.lstrip('/')}"

    def _request(self, method: str, path: str, *, retry_for: float | None = None,
                 read_timeout: float = READ_TIMEOUT, body_factory: Callable[[], Any] | None = None,
                 **kwargs: Any) -> requests.Response:
        """Send one request, retrying transient failures; raise HubError for an error status.

        ``body_factory`` makes a fresh request body per attempt (an open file is
        consumed by the first attempt).
        """
        budget = self.retry_for if retry_for is None else retry_for
        deadline = time.monotonic() + budget
        delay = self.retry_delay
        while True:
            body = body_factory() if body_factory else None
            try:
                if body is not None:
                    kwargs["data"] = body
                resp = self.session.request(method, self._url(path), timeout=(CONNECT_TIMEOUT, read_timeout),
                                            **kwargs)
                error: Exception | None = None
                if resp.status_code in RETRY_STATUSES:
                    error = _hub_error(resp)
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = HubUnreachable(f"cannot reach the hub at {self.server}: {_short(exc)}")
                resp = None
            finally:
                if body is not None and hasattr(body, "close"):
                    body.close()
            if error is None:
                assert resp is not None
                if resp.status_code >= 400:
                    raise _hub_error(resp)
                return resp
            if time.monotonic() + delay > deadline or self.should_give_up():
                raise error
            log.debug("%s %s failed (%s); retrying in %.1fs", method, path, error, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)

    # -- the API ------------------------------------------------------------
    def heartbeat(self, *, labels: dict[str, str], concurrency: int, running: list[str],
                  executors: list[str], hostname: str, version: str,
                  retry_for: float | None = None) -> dict[str, Any]:
        """Report liveness; returns ``{"stop": [task_id, ...], "timeout": seconds}``."""
        resp = self._request("POST", "heartbeat", retry_for=retry_for, json={
            "labels": labels, "concurrency": concurrency, "running": running,
            "executors": executors, "hostname": hostname, "version": version})
        return resp.json()

    def claim(self, labels: dict[str, str], wait: float = 20) -> dict[str, Any] | None:
        """Long-poll for a task: an assignment ``{"task", "manifest"}``, or None after ``wait`` s."""
        resp = self._request("POST", "claim", json={"labels": labels, "wait": wait},
                             read_timeout=wait + READ_TIMEOUT)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    def get_blob(self, sha256: str, dest_path: str) -> None:
        """Download a blob to ``dest_path`` (via a temp file in the same folder, then a rename).

        Raises BlobMismatch when the bytes do not hash to ``sha256``; nothing is
        left at ``dest_path`` then.
        """
        folder = os.path.dirname(dest_path) or "."
        os.makedirs(folder, exist_ok=True)
        resp = self._request("GET", f"blobs/{sha256}", stream=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-")
        try:
            digest = hashlib.sha256()
            with resp, os.fdopen(fd, "wb") as out:
                for chunk in resp.iter_content(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise BlobMismatch(f"blob {sha256} from the hub hashes to {digest.hexdigest()}")
            os.replace(tmp, dest_path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def missing_blobs(self, shas: Iterable[str]) -> list[str]:
        """Those of ``shas`` the hub does not have yet (asked in batches of 10000)."""
        unique = list(dict.fromkeys(shas))
        missing: list[str] = []
        for i in range(0, len(unique), 10000):
            resp = self._request("POST", "blobs/missing", json={"sha256": unique[i:i + 10000]})
            missing.extend(resp.json().get("missing", []))
        return missing

    def put_blob(self, sha256: str, path: str) -> None:
        """Upload the file at ``path`` as blob ``sha256``, streamed from disk."""
        self._request("PUT", f"blobs/{sha256}", body_factory=lambda: open(path, "rb"),
                      headers={"Content-Type": "application/octet-stream"})

    def send_logs(self, task_id: str, entries: list[dict[str, Any]]) -> None:
        """Append log entries ``{"seq", "ts", "stream", "line"}``; resending a seq is harmless."""
        self._request("POST", f"tasks/{task_id}/logs", json={"entries": entries})

    def finish(self, task_id: str, state: str, exit_code: int | None, reason: str | None,
               changes: dict[str, Any] | None = None) -> None:
        """Report a task's outcome and the workspace changes it made (blobs uploaded first)."""
        self._request("POST", f"tasks/{task_id}/finish", json={
            "state": state, "exit_code": exit_code, "reason": reason,
            "changes": changes or {"put": {}, "delete": []}})


def _hub_error(resp: requests.Response) -> HubError:
    detail = ""
    try:
        body = resp.json()
        if isinstance(body, dict):
            detail = str(body.get("detail") or "")
    except ValueError:
        pass
    if not detail:
        detail = (resp.text or resp.reason or "").strip().splitlines()[0][:200] if (resp.text or resp.reason) else ""
    return HubError(resp.status_code, detail or f"HTTP {resp.status_code}")


def _short(exc: Exception) -> str:
    """requests' connection errors nest several reprs; keep the innermost reason."""
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if match:
        return match.group(1).strip()
    if "timed out" in text:
        return "timed out"
    return text[:200]
