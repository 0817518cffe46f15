"""ds run -R REPO [-b REF]: git checkouts into the workspace, from file:// and git daemon on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.lib.processes import free_port, stop_process

# -- git ------------------------------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repos(tmp_path):
    """Bare repos under tmp/git: model.git (master, branch dev, tag v1) and main-only.git."""
    base = tmp_path / "git"
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "master")
    (work / "version.txt").write_text("one\n")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "one")
    first = git(work, "rev-parse", "HEAD")
    git(work, "tag", "v1")
    (work / "version.txt").write_text("two\n")
    git(work, "commit", "-q", "-am", "two")
    git(work, "checkout", "-q", "-b", "dev")
    (work / "version.txt").write_text("dev\n")
    git(work, "commit", "-q", "-am", "dev")
    git(work, "checkout", "-q", "master")
    base.mkdir()
    git(tmp_path, "clone", "-q", "--bare", str(work), str(base / "model.git"))
    main_only = tmp_path / "main-work"
    main_only.mkdir()
    git(main_only, "init", "-q", "-b", "main")
    (main_only / "version.txt").write_text("main\n")
    git(main_only, "add", ".")
    git(main_only, "commit", "-q", "-m", "main")
    git(tmp_path, "clone", "-q", "--bare", str(main_only), str(base / "main-only.git"))
    return {"base": base, "first": first}


@pytest.fixture
def git_daemon(repos):
    port = free_port()
    proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", f"--base-path={repos['base']}",
                             "--listen=127.0.0.1", f"--port={port}", str(repos["base"])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"git://127.0.0.1:{port}"
    stop_process(proc)


def test_repo_checkout_default_branch_tag_and_commit(user, start_runner, repos, git_daemon):
    start_runner()
    url = f"{git_daemon}/model.git"
    assert user.ok("run", "-p", "P", "-R", url, "cat", "model/version.txt").stdout == "two\n"
    # later runs without -R reuse the saved checkout
    assert user.ok("run", "-p", "P", "cat", "model/version.txt").stdout == "two\n"
    assert "model/version.txt" in user.ok("file", "ls", "-q", "P").stdout
    assert user.ok("run", "-p", "P", "-R", url, "-b", "dev", "cat", "model/version.txt").stdout == "dev\n"
    assert user.ok("run", "-p", "P", "-R", url, "-b", "v1", "cat", "model/version.txt").stdout == "one\n"
    assert user.ok("run", "-p", "P", "-R", url, "-b", repos["first"][:12],
                   "cat", "model/version.txt").stdout == "one\n"


def test_repo_without_master_checks_out_its_default_branch(user, start_runner, repos):
    start_runner()
    url = f"file://{repos['base'] / 'main-only.git'}"
    assert user.ok("run", "-p", "P", "-R", url, "cat", "main-only/version.txt").stdout == "main\n"


def test_clone_failure_fails_the_task_with_gits_message(user, start_runner, tmp_path):
    start_runner()
    result = user("run", "-p", "P", "-R", f"file://{tmp_path}/no-such.git", "echo", "never")
    assert result.returncode == 1 and result.stdout == ""
    task = user.ok("task", "ls", "-f", "json").json[-1]
    assert task["state"] == "failed" and task["reason"].startswith("git:")
    assert any("git" in line for line in user.ok("logs", "-v", task["id"]).lines)
    assert user("run", "-p", "P", "-b", "dev", "true").returncode == 2
