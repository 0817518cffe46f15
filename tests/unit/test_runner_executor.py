"""The process executor: environment, exit codes, and stopping a whole process group."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from dsrunner import executors
from dsrunner.executors.base import Executor, JobSpec, JobStartError
from dsrunner.executors.process import ProcessExecutor
from dsrunner.task import describe_exit, job_environment, label_variable


def run(command: str, tmp_path, env=None, **kw):
    job = ProcessExecutor().start(JobSpec(["sh", "-c", command], str(tmp_path), env or dict(os.environ), **kw))
    out = job.stdout.read()
    err = job.stderr.read()
    return job.wait(), out, err


def test_process_executor_runs_a_command_in_the_workspace_with_its_env(tmp_path):
    env = dict(os.environ, GREETING="hello")
    code, out, err = run('echo "$GREETING from $(pwd)"; echo oops >&2', tmp_path, env)
    assert code == 0
    assert out.decode() == f"hello from {os.path.realpath(tmp_path)}\n"
    assert err == b"oops\n"


def test_process_executor_returns_the_exit_code(tmp_path):
    assert run("exit 3", tmp_path)[0] == 3


def test_process_executor_reports_death_by_signal(tmp_path):
    code = run("kill -9 $$", tmp_path)[0]
    assert code == -signal.SIGKILL
    assert describe_exit(code) == "killed by signal SIGKILL"
    assert describe_exit(2) == "exit code 2"


def test_process_executor_cannot_start_a_missing_command(tmp_path):
    with pytest.raises(JobStartError, match="^cannot start no-such-cmd-xyz: No such file or directory$"):
        ProcessExecutor().start(JobSpec(["no-such-cmd-xyz"], str(tmp_path), dict(os.environ)))


def test_process_executor_refuses_images():
    executor = ProcessExecutor()
    assert executor.can_run(None) is None
    assert executor.can_run("python:3.11") == ("the process executor cannot run images (asked for python:3.11): "
                                               "start a runner with an executor that can")


def test_terminate_stops_the_whole_process_group(tmp_path):
    job = ProcessExecutor().start(JobSpec(["sh", "-c", "sleep 30 & echo $!; wait"], str(tmp_path),
                                          dict(os.environ)))
    child = int(job.stdout.readline())
    job.terminate()
    assert job.wait() == -signal.SIGTERM
    assert _wait_dead(child)  # the signal reached it; it may take a moment to go


def test_kill_reaches_a_child_that_ignores_sigterm(tmp_path):
    script = "trap '' TERM; sleep 30 & echo $!; wait; wait"
    job = ProcessExecutor().start(JobSpec(["sh", "-c", script], str(tmp_path), dict(os.environ)))
    child = int(job.stdout.readline())
    job.terminate()
    time.sleep(0.3)
    # sh ignores TERM (and its sleep inherited that), so both still run.
    assert job.popen.poll() is None
    job.kill()
    assert job.wait() == -signal.SIGKILL
    assert _wait_dead(child)


def test_wait_kills_what_the_job_left_running_in_the_background(tmp_path):
    job = ProcessExecutor().start(JobSpec(["sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"], str(tmp_path),
                                          dict(os.environ)))
    child = int(job.stdout.readline())
    assert job.wait() == 0
    assert _wait_dead(child)


def _alive(pid: int) -> bool:
    try:
        # A zombie still "exists"; read its state where /proc allows.
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def _wait_dead(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_job_environment_adds_task_identity_labels_and_task_env():
    base = {"PATH": "/usr/bin:/bin", "HOME": "/home/r", "DS_RUNNER_TOKEN": "secret", "DS_RUNNER_SERVER": "x"}
    task = {"id": "t1", "project_id": "p1", "project": "mnist", "labels": {"gpu": "1", "cuda-version": "12"},
            "env": {"LR": "0.1", "HOME": "/override"}}
    env = job_environment(task, base)
    assert "DS_RUNNER_TOKEN" not in env and "DS_RUNNER_SERVER" not in env
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)
    assert env["PATH"].endswith("/usr/bin:/bin")
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["DOTSCIENCE_TASK_ID"] == "t1"
    assert env["DOTSCIENCE_PROJECT_ID"] == "p1"
    assert env["DOTSCIENCE_PROJECT"] == "mnist"
    assert env["DOTSCIENCE_LABEL_GPU"] == "1"
    assert env["DOTSCIENCE_LABEL_CUDA_VERSION"] == "12"
    assert env["LR"] == "0.1" and env["HOME"] == "/override"


def test_label_variable_names():
    assert label_variable("gpu") == "DOTSCIENCE_LABEL_GPU"
    assert label_variable("a.b-c d") == "DOTSCIENCE_LABEL_A_B_C_D"


def test_the_job_runs_the_runners_python(tmp_path):
    env = job_environment({"id": "t"}, {"PATH": "/usr/bin:/bin"})
    code, out, _ = run('python -c "import sys; print(sys.executable)"', tmp_path, env)
    assert code == 0
    assert os.path.dirname(out.decode().strip()) == os.path.dirname(sys.executable)


def test_executors_load_finds_the_process_executor_with_or_without_entry_points():
    assert isinstance(executors.load("process"), ProcessExecutor)
    assert "process" in executors.available()
    with pytest.raises(LookupError, match="no executor named 'nope'"):
        executors.load("nope")


def test_an_executor_plugin_implements_the_base_class():
    class Fake(Executor):
        name = "fake"

        def can_run(self, image):
            return None

        def start(self, spec):
            raise JobStartError("no")

    assert Fake().can_run("img") is None
    with pytest.raises(TypeError):
        Executor()  # abstract


def test_terminate_after_exit_does_not_raise(tmp_path):
    job = ProcessExecutor().start(JobSpec(["true"], str(tmp_path), dict(os.environ)))
    assert job.wait() == 0
    job.terminate()
    job.kill()
    threading.Thread(target=job.kill).start()
