"""The ds-hub command as a real process."""

from __future__ import annotations

import subprocess
import urllib.request

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
