"""The ds-hub command as a real process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.lib.processes import Hub, executable, free_port


def ds_hub(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([executable("ds-hub"), *args], input=input, text=True, capture_output=True, timeout=60,
                          stdin=None if input is not None else subprocess.DEVNULL)


def test_user_create_reads_the_password_from_stdin_and_refuses_duplicates(tmp_path):
    data = str(tmp_path / "data")
    created = ds_hub("user", "create", "alice", "--password-stdin", "--data-dir", data, input="pw\n")
    assert created.returncode == 0 and "alice" in created.stdout
    again = ds_hub("user", "create", "alice", "--password-stdin", "--data-dir", data, input="pw\n")
    assert again.returncode == 1 and again.stderr == "ds-hub: a user named 'alice' already exists\n"


def test_user_create_refuses_a_bad_name(tmp_path):
    result = ds_hub("user", "create", "bad name", "--password-stdin", "--data-dir", str(tmp_path), input="pw\n")
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1


def test_serve_answers_health_and_stops_on_sigterm(tmp_path):
    hub = Hub(tmp_path / "data").start()
    try:
        with urllib.request.urlopen(hub.url + "/v2/health") as response:
            assert response.status == 200
        assert f"dshub listening on {hub.url}" in hub.log()
    finally:
        hub.stop()
    assert hub.proc is None


def test_up_creates_admin_once_and_prints_a_generated_password(tmp_path):
    hub = Hub(tmp_path / "data", command="up").start()
    hub.stop()
    first = hub.log()
    assert "Created user 'admin' with password: " in first
    password = first.split("with password: ")[1].split()[0]
    hub.start()
    hub.stop()
    assert "Created user" not in hub.log()
    hub.start()
    try:
        login = subprocess.run([executable("ds"), "login", "admin", "--password-stdin"], input=password + "\n",
                               text=True, capture_output=True,
                               env={"DOTSCIENCE_URL": hub.url, "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                                    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                                    "HOME": str(tmp_path)})
        assert login.returncode == 0, login.stderr
    finally:
        hub.stop()


def test_port_in_use_is_one_line(tmp_path):
    hub = Hub(tmp_path / "data").start()
    try:
        result = ds_hub("serve", "--data-dir", str(tmp_path / "other"), "--port", str(hub.port))
        assert result.returncode == 1
        assert result.stderr.startswith(f"ds-hub: cannot listen on 127.0.0.1:{hub.port}")
        assert len(result.stderr.splitlines()) == 1
    finally:
        hub.stop()


def test_bad_database_url_is_one_line(tmp_path):
    result = ds_hub("migrate", "--data-dir", str(tmp_path), "--db", "nosuchdb://x")
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1 and "database URL" in result.stderr
    result = ds_hub("serve", "--data-dir", str(tmp_path), "--port", str(free_port()),
                    "--db", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr


class ServeProcess:
    """`ds-hub ARGS --port 0` with stdout in a file; the URL is read from its listening line."""

    LISTENING = re.compile(r"^dshub listening on (http://127\.0\.0\.1:\d+)$", re.M)

    def __init__(self, tmp_path: Path, *args: str, env: dict | None = None) -> None:
        self.out_path = tmp_path / "hub.out"
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen([executable("ds-hub"), *args, "--port", "0"], stdout=out,
                                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                         env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 30
        while not (match := self.LISTENING.search(self.output())):
            assert self.proc.poll() is None and time.monotonic() < deadline, self.output()
            time.sleep(0.05)
        self.url = match.group(1)

    def output(self) -> str:
        return self.out_path.read_text()

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/v2/health", timeout=10) as response:
            return json.load(response)

    def signal(self, signum: int) -> tuple[int, str]:
        self.proc.send_signal(signum)
        return self.proc.wait(30), self.proc.stderr.read().decode()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


@pytest.fixture
def serve_process(tmp_path):
    started: list[ServeProcess] = []

    def start(*args: str, env: dict | None = None) -> ServeProcess:
        started.append(ServeProcess(tmp_path, *args, env=env))
        return started[-1]

    yield start
    for hub in started:
        hub.kill()


def test_serve_prints_its_url_answers_health_and_exits_0_on_sigterm(tmp_path, serve_process):
    hub = serve_process("serve", "--data-dir", str(tmp_path / "data"))
    assert hub.health()["status"] == "ok"
    assert hub.signal(signal.SIGTERM) == (0, "")


def test_serve_stops_on_sigint_without_a_traceback(tmp_path, serve_process):
    hub = serve_process("serve", "--data-dir", str(tmp_path / "data"))
    hub.health()
    returncode, stderr = hub.signal(signal.SIGINT)
    assert returncode == 130 and "Traceback" not in stderr


def _pids_with_argument(argument: str) -> list[int]:
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if argument in cmdline.read_bytes().split(b"\0"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            pass  # the process ended meanwhile
    return pids


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds the runner through /proc")
@pytest.mark.parametrize("when", ["once_its_runner_runs", "as_soon_as_it_answers"])
def test_up_leaves_no_local_runner_behind_on_sigterm(tmp_path, serve_process, when):
    data = tmp_path / "data"
    hub = serve_process("up", "--data-dir", str(data), env={"DSHUB_ADMIN_PASSWORD": "pw"})
    work_dir = str(data / "runner").encode()
    try:
        if when == "once_its_runner_runs":
            deadline = time.monotonic() + 30
            while not _pids_with_argument(work_dir) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(_pids_with_argument(work_dir)) == 1, "the local runner did not start"
        else:
            hub.health()
        assert hub.signal(signal.SIGTERM)[0] == 0
        time.sleep(0.5)  # a runner spawned late, after the hub stopped, would show up by now
        assert _pids_with_argument(work_dir) == []
    finally:
        for pid in _pids_with_argument(work_dir):  # never leave a runner behind, even on failure
            os.kill(pid, signal.SIGKILL)


def test_up_takes_the_admin_password_from_the_environment(tmp_path, serve_process):
    hub = serve_process("up", "--no-runner", "--data-dir", str(tmp_path / "data"),
                        env={"DSHUB_ADMIN_PASSWORD": "from-env"})
    assert "Created user 'admin'." in hub.output() and "from-env" not in hub.output()
    request = urllib.request.Request(hub.url + "/v2/auth/login", method="POST",
                                     data=json.dumps({"username": "admin", "password": "from-env"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["username"] == "admin"


def test_port_out_of_range_is_a_one_line_usage_error(tmp_path):
    result = ds_hub("serve", "--data-dir", str(tmp_path), "--port", "70000")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and "65535" in result.stderr


def test_unusable_data_dir_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    result = ds_hub("migrate", "--data-dir", str(tmp_path / "file" / "data"))
    assert result.returncode == 1 and result.stderr.startswith("ds-hub: cannot use the data dir ")
    assert len(result.stderr.splitlines()) == 1


def test_bad_setting_in_the_environment_is_one_line(tmp_path):
    result = subprocess.run([executable("ds-hub"), "migrate", "--data-dir", str(tmp_path)], text=True,
                            capture_output=True, timeout=60, env={**os.environ, "DSHUB_RUNNER_TIMEOUT": "soon"})
    assert result.returncode == 1
    assert result.stderr == "ds-hub: $DSHUB_RUNNER_TIMEOUT must be a positive number, not 'soon'\n"


def test_bad_database_url_hides_its_password(tmp_path):
    result = ds_hub("migrate", "--data-dir", str(tmp_path), "--db", "nosuchdb://me:hunter2@host/db")
    assert result.returncode == 1 and "hunter2" not in result.stderr and "me:***@host" in result.stderr


def test_debug_adds_the_traceback_before_the_one_line(tmp_path):
    result = ds_hub("migrate", "--debug", "--data-dir", str(tmp_path), "--db", "nosuchdb://x")
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("ds-hub: bad database URL")


def test_migrate_twice_says_the_database_is_up_to_date(tmp_path):
    for _ in range(2):
        result = ds_hub("migrate", "--data-dir", str(tmp_path))
        assert result.returncode == 0 and result.stdout == "The database is up to date.\n"


def test_user_create_without_a_terminal_asks_for_password_stdin(tmp_path):
    result = ds_hub("user", "create", "alice", "--data-dir", str(tmp_path))
    assert result.returncode == 1 and "--password-stdin" in result.stderr and len(result.stderr.splitlines()) == 1


def test_user_create_refuses_an_empty_password(tmp_path):
    result = ds_hub("user", "create", "alice", "--password-stdin", "--data-dir", str(tmp_path), input="\n")
    assert result.returncode == 1 and result.stderr == "ds-hub: the password is empty\n"
