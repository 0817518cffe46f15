"""ds run, ds task, ds logs and ds runner against a real hub and real ds-runner processes."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from tests.functional.conftest import PASSWORD, RUNNER_TIMEOUT
from tests.lib.processes import Ds, executable


def wait_state(ds: Ds, task_id: str, states: tuple[str, ...], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = ds.ok("task", "inspect", task_id).json[0]
        if task["state"] in states:
            return task
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} still {task['state']} after {timeout}s")


def test_run_streams_output_and_exits_with_the_jobs_code(user, start_runner):
    start_runner()
    result = user("run", "-p", "P", "sh", "-c", "echo out1; echo err1 >&2; sleep 0.3; echo out2; exit 3")
    assert result.returncode == 3
    assert result.stdout == "out1\nout2\n"
    assert result.stderr.startswith("err1\n")
    assert "State:     failed, exit code 3" in result.stderr


def test_run_passes_environment_and_labels(user, start_runner):
    start_runner("gpu=*", "ZONE=eu")
    user.env["FROM_HERE"] = "passed through"
    user.env["ZONE"] = "eu"
    result = user.ok("run", "-p", "P", "-e", "A=1", "-e", "FROM_HERE", "-r", "gpu=2", "-r", "ZONE",
                     "sh", "-c", 'echo "$A|$FROM_HERE|$DOTSCIENCE_LABEL_GPU|$DOTSCIENCE_LABEL_ZONE"')
    assert result.stdout == "1|passed through|2|eu\n"
    missing = user("run", "-p", "P", "-e", "NOT_SET_ANYWHERE", "true")
    assert missing.returncode == 2 and "NOT_SET_ANYWHERE" in missing.stderr


def test_task_labels_the_runner_lacks_keep_it_queued(user, start_runner):
    start_runner("cpu=1")
    task_id = user.ok("run", "-p", "P", "-d", "-r", "gpu=1", "true").stdout.strip()
    time.sleep(1.5)
    assert user.ok("task", "inspect", task_id).json[0]["state"] == "queued"
    user.ok("task", "stop", task_id)
    assert user.ok("task", "inspect", task_id).json[0]["state"] == "stopped"


def test_detached_run_task_ls_inspect_and_logs(user, start_runner):
    start_runner()
    task_id = user.ok("run", "-p", "P", "-d", "sh", "-c", "echo hello; echo oops >&2").stdout.strip()
    task = wait_state(user, task_id, ("succeeded",))
    assert task["command"] == ["sh", "-c", "echo hello; echo oops >&2"] and task["exit_code"] == 0
    table = user.ok("task", "ls").lines
    assert [h.strip() for h in table[1].strip("|").split("|")] == ["ID", "STATUS", "WORKLOAD", "AGE"]
    assert task_id in "\n".join(table) and "succeeded" in table[3] and "command" in table[3]
    assert user.ok("logs", task_id[:8]).stdout == "hello\nERROR: oops\n"
    verbose = user.ok("logs", "-v", task_id).lines
    assert any(line.endswith("Z: hello") for line in verbose)
    assert any(line.endswith("Z stderr: oops") for line in verbose)
    assert any(" system: claimed by runner " in line for line in verbose)
    assert any(" system: runner " in line and "started the task" in line for line in verbose)


def test_sigint_to_ds_run_stops_the_task_and_its_process(user, start_runner):
    start_runner()
    marker = "301.25"
    proc = subprocess.Popen([executable("ds"), "run", "-p", "P", "sh", "-c", f"echo started; exec sleep {marker}"],
                            env=user.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "started\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "State:     stopped" in err
    assert proc.returncode != 0
    task = user.ok("task", "ls", "-f", "json").json[-1]
    assert task["state"] == "stopped"
    assert subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True).returncode == 1


def test_two_runners_forty_tasks_each_runs_exactly_once(user, start_runner):
    start_runner()
    start_runner()
    ids = [user.ok("run", "-p", "P", "-d", "sh", "-c", "echo ran").stdout.strip() for _ in range(40)]
    tasks = [wait_state(user, task_id, ("succeeded", "failed"), timeout=120) for task_id in ids]
    assert all(t["state"] == "succeeded" for t in tasks)
    for task_id in ids:
        verbose = user.ok("logs", "-v", task_id).lines
        assert sum("claimed by runner" in line for line in verbose) == 1
        assert user.ok("logs", task_id).stdout == "ran\n"


def test_runner_killed_mid_task_makes_the_task_lost_and_the_runner_offline(user, start_runner):
    agent = start_runner(name="doomed")
    task_id = user.ok("run", "-p", "P", "-d", "sh", "-c", "echo started; sleep 300.5").stdout.strip()
    wait_state(user, task_id, ("running",))
    agent.kill()
    task = wait_state(user, task_id, ("lost",), timeout=RUNNER_TIMEOUT + 10)
    assert "doomed" in task["reason"]
    runner = user.ok("runner", "inspect", "doomed").json[0]
    assert runner["status"] == "offline" and runner["tasks"][0]["id"] == task_id
    subprocess.run(["pkill", "-f", "sleep 300.5"])  # the orphaned job of the killed agent


def test_two_hundred_thousand_lines_arrive_complete_and_in_order(user, start_runner):
    start_runner()
    job = "import time\nfor i in range(200000):\n    print(i)\n    if i == 100000: time.sleep(1)\n"
    task_id = user.ok("run", "-p", "P", "-d", "python", "-c", job).stdout.strip()
    wait_state(user, task_id, ("running",))
    # a follower started mid-job and interrupted...
    follower = subprocess.Popen([executable("ds"), "logs", "-f", task_id], env=user.env,
                                stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    follower.send_signal(signal.SIGINT)
    follower.wait(timeout=30)
    # ...and restarted, follows to the end
    followed = user.ok("logs", "-f", task_id, timeout=180).stdout
    wait_state(user, task_id, ("succeeded",), timeout=120)
    expected = "".join(f"{i}\n" for i in range(200000))
    assert followed == expected
    assert user.ok("logs", task_id, timeout=180).stdout == expected


def test_task_rm_refuses_running_unknown_and_other_users_tasks(user, start_runner, make_ds, jobs_hub):
    start_runner()
    task_id = user.ok("run", "-p", "P", "-d", "sleep", "30").stdout.strip()
    wait_state(user, task_id, ("running",))
    running = user("task", "rm", task_id)
    assert running.returncode == 1 and len(running.stderr.splitlines()) == 1 and "stop it first" in running.stderr
    unknown = user("task", "rm", "ffffffff-0000")
    assert unknown.returncode == 3 and unknown.stderr == "ds: no task 'ffffffff-0000'\n"
    jobs_hub.create_user("intruder-" + task_id[:8], PASSWORD)
    intruder = make_ds(server_url=jobs_hub.url)
    intruder.login("intruder-" + task_id[:8], PASSWORD)
    assert intruder("task", "rm", task_id).returncode == 3
    assert intruder("task", "stop", task_id).returncode == 3
    assert user.ok("task", "inspect", task_id).json[0]["state"] == "running"
    user.ok("task", "stop", task_id)
    wait_state(user, task_id, ("stopped",))
    assert user.ok("task", "rm", task_id).stdout == f"Removed task {task_id}\n"


def test_runner_create_ls_inspect_rm(user, jobs_hub):
    out = user.ok("runner", "create", "-d", "for tests", "-s", "20", "gpu-box", "-t", "gpu-nvidia-runtime").stdout
    lines = out.splitlines()
    assert lines[0].startswith("Runner ID:        ") and lines[1] == "Runner name:      gpu-box"
    assert lines[2] == "Runner type:      gpu-nvidia-runtime"
    assert lines[4] == "To start a runner, run:"
    assert lines[6].startswith(f"ds-runner --server {jobs_hub.url} --token dsr_")
    picked = user.ok("runner", "create").stdout.splitlines()[1]
    assert picked.endswith("-untitled")
    table = user.ok("runner", "ls").lines
    assert [h.strip() for h in table[1].strip("|").split("|")] == [
        "ID", "NAME", "RUNNING TASKS", "STATUS", "TYPE", "AGE"]
    assert user.ok("runner", "ls", "-q").stdout.splitlines()[0] == "gpu-box"
    [runner] = user.ok("runner", "inspect", "gpu-box").json
    assert runner["size_gb"] == 20 and runner["description"] == "for tests" and runner["tasks"] == []
    assert "token" not in json.dumps(runner)
    user.ok("runner", "rm", "gpu-box")
    assert user("runner", "inspect", "gpu-box").returncode == 3


def test_image_the_process_runner_cannot_honour_fails_the_task_clearly(user, start_runner):
    start_runner()
    result = user("run", "-p", "P", "-I", "ubuntu:22.04", "true")
    assert result.returncode == 1
    task = user.ok("task", "ls", "-f", "json").json[-1]
    assert task["state"] == "failed" and "ubuntu:22.04" in task["reason"]


def test_jobs_find_python_with_the_dotscience_library(user, start_runner):
    start_runner()
    result = user.ok("run", "-p", "P", "python", "-c", "import dotscience; print(dotscience.__name__)")
    assert result.stdout == "dotscience\n"
