"""AgentClient against a tiny fake hub (stdlib http.server on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import os

import pytest

from dsrunner.api import AgentClient, BlobMismatch, HubError, HubUnreachable
from tests.lib.fakehub import TOKEN


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
