"""Real processes for functional tests: a ds-hub on 127.0.0.1, and the installed ds.

Every process a fixture starts is stopped by its PID when the fixture ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


def executable(name: str) -> str:
    """The installed console script NAME of the venv running the tests."""
    path = BIN / name
    assert path.exists(), f"{path} is not installed: run make test"
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


class Hub:
    """A real `ds-hub` process with its own data dir and port."""

    def __init__(self, data_dir: Path, command: str = "serve", extra: tuple[str, ...] = (),
                 env: dict | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"{data_dir.name}-hub.log"
        self.command = command
        self.extra = extra
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Hub:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [executable("ds-hub"), self.command, "--data-dir", str(self.data_dir), "--port", str(self.port),
             *self.extra],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ds-hub exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/v2/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"ds-hub did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self._log.close()
            self.proc = None

    def create_user(self, name: str, password: str) -> None:
        subprocess.run(
            [executable("ds-hub"), "user", "create", name, "--password-stdin", "--data-dir", str(self.data_dir)],
            input=password + "\n", text=True, check=True, capture_output=True,
        )


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout)

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


class Ds:
    """Runs the installed `ds` executable in an isolated environment."""

    # Variables of the developer's shell that would change what ds does.
    _SCRUB = ("DS_TOKEN", "DS_SERVER_URL", "DOTSCIENCE_URL", "DOTSCIENCE_USERNAME", "DOTSCIENCE_PASSWORD",
              "DSCLI_NO_CACHE", "DS_NO_KEYRING")

    def __init__(self, home: Path, server_url: str | None, cache_dir: Path) -> None:
        self.home = home
        env = {k: v for k, v in os.environ.items() if k not in self._SCRUB}
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(cache_dir),
            # Headless Linux has no keyring; make that explicit so every machine behaves alike.
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        if server_url:
            env["DOTSCIENCE_URL"] = server_url
        self.env = env

    @property
    def config_dir(self) -> Path:
        return self.home / ".config" / "dscli"

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None,
                 python_flags: tuple[str, ...] = (), timeout: float = 60) -> Result:
        argv = [executable("ds"), *args]
        if python_flags:
            argv = [sys.executable, *python_flags, *argv]
        proc = subprocess.run(
            argv, input=input, text=True, capture_output=True, timeout=timeout,
            env={**self.env, **(env or {})}, stdin=None if input is not None else subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, **kw) -> Result:
        result = self(*args, **kw)
        assert result.returncode == 0, f"ds {' '.join(args)} -> {result.returncode}\n{result.stderr}"
        return result

    def login(self, user: str, password: str) -> Result:
        return self.ok("login", user, "--password-stdin", input=password + "\n")


class RunnerAgent:
    """A real `ds-runner` process."""

    def __init__(self, server_url: str, token: str, work_dir: Path, labels: tuple[str, ...] = (),
                 extra: tuple[str, ...] = ()) -> None:
        self.argv = [executable("ds-runner"), "--server", server_url, "--work-dir", str(work_dir)]
        for label in labels:
            self.argv += ["--label", label]
        self.argv += list(extra)
        self.env = {**os.environ, "DS_RUNNER_TOKEN": token}
        self.log_path = work_dir.parent / f"{work_dir.name}-runner.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> RunnerAgent:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ds-runner exited with {self.proc.returncode}:\n{self.log()}")
            if "connected" in self.log():
                return self
            time.sleep(0.05)
        raise RuntimeError(f"ds-runner did not connect within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=30)
            self._log.close()
            self.proc = None

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self._log.close()
            self.proc = None


class MotoS3:
    """moto's S3 server (`python -m moto.server`) on a free 127.0.0.1 port.

    With `auth_after`, moto checks credentials after that many requests: the
    first ones create an IAM user whose key pair `start()` returns.
    """

    def __init__(self, log_path: Path | None = None, auth_after: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.auth_after = auth_after
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> MotoS3:
        env = dict(os.environ)
        if self.auth_after is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.auth_after)
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"moto did not answer within {timeout}s")

    def client(self, service: str, key: str = "bootstrap", secret: str = "bootstrap"):
        import boto3

        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=key,
                            aws_secret_access_key=secret)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None
