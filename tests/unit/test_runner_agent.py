"""A task from claim to finish, and the agent's lifetime, against the fake hub."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from dsrunner.agent import Agent
from dsrunner.executors.process import ProcessExecutor
from dsrunner.task import TaskRun
from dsrunner.workspace import BlobCache
from tests.lib.fakehub import TOKEN

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))




def file_entry(hub, data: bytes, mode=0o644, mtime=1_700_000_000.0):
    return {"sha256": hub.add_blob(data), "size": len(data), "mode": mode, "mtime": mtime}


def assignment(hub, command, manifest=None, **task):
    task_id = task.pop("id", "task-1")
    return {"task": {"id": task_id, "project_id": "p1", "project": "mnist", "command": command, "env": {},
                     "labels": {}, "image": None, **task},
            "manifest": manifest or {}}


def run_task(hub, client, tmp_path, assigned, stop_grace=5.0):
    run = TaskRun(assigned, client=client, executor=ProcessExecutor(), cache=BlobCache(str(tmp_path / "work")),
                  work_dir=str(tmp_path / "work"), runner_name="r1", stop_grace=stop_grace)
    return run, run.run()


def test_a_task_runs_in_its_workspace_and_reports_its_changes(hub, client, tmp_path):
    manifest = {"train.py": file_entry(hub, b"print('training')\n"), "old.txt": file_entry(hub, b"x")}
    script = "python train.py; cat train.py >&2; echo model > model.bin; rm old.txt; echo LR=$LR"
    _, outcome = run_task(hub, client, tmp_path, assignment(hub, ["sh", "-c", script], manifest, env={"LR": "0.1"}))
    finished = hub.finished["task-1"]
    assert finished["state"] == "succeeded" and finished["exit_code"] == 0 and finished["reason"] is None
    assert set(finished["changes"]["put"]) == {"model.bin"}
    assert finished["changes"]["delete"] == ["old.txt"]
    assert hub.blobs[finished["changes"]["put"]["model.bin"]["sha256"]] == b"model\n"
    lines = hub.lines("task-1")
    assert lines[0] == ("system", "runner r1 started the task")
    assert ("stdout", "training") in lines and ("stderr", "print('training')") in lines
    assert ("stdout", "LR=0.1") in lines
    assert ("system", "exit code 0") in lines
    assert not os.path.exists(tmp_path / "work" / "tasks" / "task-1")  # cleaned up
    assert os.path.exists(tmp_path / "work" / "blobs")  # the cache stays


def test_a_failing_command_reports_its_exit_code(hub, client, tmp_path):
    run_task(hub, client, tmp_path, assignment(hub, ["sh", "-c", "echo bad >&2; exit 3"]))
    finished = hub.finished["task-1"]
    assert (finished["state"], finished["exit_code"], finished["reason"]) == ("failed", 3, "exit code 3")
    assert hub.lines("task-1")[-1] == ("system", "exit code 3")


def test_a_missing_command_fails_without_an_exit_code(hub, client, tmp_path):
    run_task(hub, client, tmp_path, assignment(hub, ["no-such-command-xyz"]))
    finished = hub.finished["task-1"]
    assert finished["state"] == "failed" and finished["exit_code"] is None
    assert finished["reason"] == "cannot start no-such-command-xyz: No such file or directory"
    assert ("system", finished["reason"]) in hub.lines("task-1")


def test_an_image_fails_on_the_process_executor(hub, client, tmp_path):
    run_task(hub, client, tmp_path, assignment(hub, ["true"], image="python:3.11"))
    assert hub.finished["task-1"]["reason"].startswith("the process executor cannot run images (asked for python:3.11)")


def test_an_unsafe_manifest_fails_the_task_and_writes_nothing_outside(hub, client, tmp_path):
    manifest = {"../escape.txt": file_entry(hub, b"evil")}
    run_task(hub, client, tmp_path, assignment(hub, ["true"], manifest))
    finished = hub.finished["task-1"]
    assert finished["state"] == "failed" and "unsafe workspace path '../escape.txt'" in finished["reason"]
    assert not (tmp_path / "work" / "tasks" / "escape.txt").exists()
    assert not any(p.name == "escape.txt" for p in tmp_path.rglob("*"))


def test_a_second_task_uses_the_blob_cache(hub, client, tmp_path):
    manifest = {"data.csv": file_entry(hub, b"1,2,3\n" * 100)}
    run_task(hub, client, tmp_path, assignment(hub, ["true"], manifest))
    hub.blobs.clear()  # a download now would 404
    hub.add_blob(b"")  # keep the dict non-empty; irrelevant
    run_task(hub, client, tmp_path, assignment(hub, ["cat", "data.csv"], manifest, id="task-2"))
    assert hub.finished["task-2"]["state"] == "succeeded"


def test_stop_sends_sigterm_then_sigkill_and_reports_stopped(hub, client, tmp_path):
    script = "trap 'echo got TERM' TERM; echo started; while true; do sleep 0.05; done"
    run = TaskRun(assignment(hub, ["sh", "-c", script]), client=client, executor=ProcessExecutor(),
                  cache=BlobCache(str(tmp_path / "w")), work_dir=str(tmp_path / "w"), runner_name="r1",
                  stop_grace=0.5)
    thread = threading.Thread(target=run.run)
    thread.start()
    deadline = time.monotonic() + 5
    while ("stdout", "started") not in hub.lines("task-1") and time.monotonic() < deadline:
        time.sleep(0.05)
    run.request_stop()
    thread.join(10)
    finished = hub.finished["task-1"]
    assert finished["state"] == "stopped"
    assert finished["exit_code"] == -signal.SIGKILL
    assert finished["reason"] == "stopped on request"
    lines = hub.lines("task-1")
    assert ("system", "stop requested (stopped on request)") in lines
    assert ("stdout", "got TERM") in lines
    assert ("system", "killed by signal SIGKILL") in lines


def test_a_stop_before_the_job_starts_reports_stopped_without_running_it(hub, client, tmp_path):
    run = TaskRun(assignment(hub, ["sh", "-c", "touch ran"]), client=client, executor=ProcessExecutor(),
                  cache=BlobCache(str(tmp_path / "w")), work_dir=str(tmp_path / "w"), runner_name="r1")
    run.request_stop()
    run.run()
    finished = hub.finished["task-1"]
    assert finished["state"] == "stopped" and finished["exit_code"] is None
    assert finished["changes"] == {"put": {}, "delete": []}


def test_the_agent_claims_runs_and_obeys_heartbeat_stops(hub, client, tmp_path):
    agent = Agent(client, ProcessExecutor(), work_dir=str(tmp_path / "w"), labels={"gpu": "*"}, concurrency=2,
                  stop_grace=1, claim_wait=0.1)
    hub.timeout = 0.9
    agent.connect()
    assert agent.heartbeat_interval == pytest.approx(0.3)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("rc", agent.run()))
    thread.start()
    hub.assignments.put(assignment(hub, ["sh", "-c", "echo quick"], id="quick"))
    hub.assignments.put(assignment(hub, ["sleep", "30"], id="slow"))
    assert hub.wait_finished("quick")["state"] == "succeeded"
    deadline = time.monotonic() + 5
    while not any("slow" in hb["running"] for hb in hub.heartbeats) and time.monotonic() < deadline:
        time.sleep(0.02)
    hub.stop = ["slow"]
    slow = hub.wait_finished("slow")
    assert slow["state"] == "stopped" and slow["exit_code"] == -signal.SIGTERM
    assert hub.claims[0]["labels"] == {"gpu": "*"}
    assert hub.heartbeats[0]["executors"] == ["process"] and hub.heartbeats[0]["concurrency"] == 2
    agent.shutdown()
    thread.join(10)
    assert result["rc"] == 0


def test_shutdown_stops_running_tasks_and_reports_them(hub, client, tmp_path):
    agent = Agent(client, ProcessExecutor(), work_dir=str(tmp_path / "w"), stop_grace=1, claim_wait=0.1)
    agent.connect()
    thread = threading.Thread(target=agent.run)
    thread.start()
    hub.assignments.put(assignment(hub, ["sleep", "30"], id="long"))
    deadline = time.monotonic() + 5
    while "long" not in agent.running_ids() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    agent.shutdown()
    thread.join(10)
    assert not thread.is_alive()
    finished = hub.finished["long"]
    assert finished["state"] == "stopped" and finished["reason"] == "the runner is shutting down"


def _start_cli(hub, tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=ROOT, DS_RUNNER_TOKEN=TOKEN)
    return subprocess.Popen([sys.executable, "-m", "dsrunner.cli", "--server", hub.url, "--work-dir",
                             str(tmp_path / "w"), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_cli_connects_runs_a_task_and_exits_0_on_sigterm(hub, tmp_path):
    proc = _start_cli(hub, tmp_path, "--label", "gpu=1", "--stop-grace", "1")
    try:
        ready = proc.stdout.readline()
        assert ready.startswith(f"ds-runner: connected to {hub.url} as runner ")
        assert ready.rstrip().endswith("labels gpu=1")
        hub.assignments.put(assignment(hub, ["sh", "-c", "echo token=${DS_RUNNER_TOKEN:-unset}; sleep 30"]))
        deadline = time.monotonic() + 10
        while ("stdout", "token=unset") not in hub.lines("task-1") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ("stdout", "token=unset") in hub.lines("task-1")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert hub.finished["task-1"]["state"] == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_rejected_token_is_one_line_and_non_zero(hub, tmp_path):
    proc = _start_cli(hub, tmp_path, "--token", "wrong")
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 1
    assert err.strip().splitlines() == [err.strip()]
    assert "rejected the runner token" in err


def test_cli_bad_arguments_are_one_line(tmp_path, capsys):
    from dsrunner.cli import main
    assert main(["--server", "http://x", "--concurrency", "0"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--concurrency" in err
    assert main(["--server", "ftp://x", "--token", "t"]) == 1
    assert main(["--server", "http://x", "--token", "t", "--executor", "nope"]) == 1
    assert "no executor named 'nope'" in capsys.readouterr().err


def test_blob_hash_of_uploads_matches(hub, client, tmp_path):
    # The sha256 reported for an output is that of its bytes, and the blob was uploaded before finish.
    run_task(hub, client, tmp_path, assignment(hub, ["sh", "-c", "printf abc > out.txt"]))
    put = hub.finished["task-1"]["changes"]["put"]["out.txt"]
    assert put["sha256"] == hashlib.sha256(b"abc").hexdigest() and put["size"] == 3


def test_log_seqs_follow_the_entries_the_hub_logged_at_claim(hub, client, tmp_path):
    assigned = assignment(hub, ["echo", "hi"])
    assigned["log_seq"] = 1
    hub.logs["task-1"] = {1: {"seq": 1, "ts": "t", "stream": "system", "line": "claimed by runner r1"}}
    run_task(hub, client, tmp_path, assigned)
    assert hub.lines("task-1")[:3] == [("system", "claimed by runner r1"), ("system", "runner r1 started the task"),
                                       ("stdout", "hi")]
