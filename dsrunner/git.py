"""Git checkouts into a task's workspace (ds run -R REPO [-b REF]).

The repo goes into workspace/<name>, <name> deduced from the URL
(``.../model.git`` -> ``model``), or ``code`` when no safe name can be
deduced. The first time it is cloned; later it is fetched and updated. REF is
resolved as a remote branch, then a tag, then a commit; without REF, ``master``,
or the remote's default branch when the repo has no ``master``. The checkout is
detached at the resolved commit and, being part of the workspace, saved with it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urlsplit

GIT_TIMEOUT = 600
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")


class GitError(Exception):
    """git failed; the message carries git's own words."""


def repo_dir_name(url: str) -> str:
    if "://" in url:
        path = urlsplit(url).path
    elif re.match(r"^[^/]+:", url):  # scp-like: user@host:path
        path = url.split(":", 1)[1]
    else:
        path = url
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    if tail.endswith(".git"):
        tail = tail[:-4]
    return tail if tail not in (".", "..") and _SAFE_NAME.match(tail) else "code"


# Inherited variables that would point git at another repository than the checkout.
_REPO_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                   "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")


def _git(args: list[str], cwd: str, env: Mapping[str, str] | None = None) -> str:
    full_env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
    full_env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})})
    # Repository discovery never leaves cwd (the workspace or the checkout): a broken checkout is an
    # error, never a licence to act on a repository the runner's work dir happens to lie in.
    full_env["GIT_CEILING_DIRECTORIES"] = os.path.dirname(os.path.realpath(cwd))
    try:
        # No automatic gc/maintenance: packing refs could leave folders empty, and empty folders
        # are not saved with the workspace.
        result = subprocess.run(["git", "-c", "gc.auto=0", "-c", "maintenance.auto=false", *args], cwd=cwd,
                                env=full_env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise GitError("git is not installed on this runner") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if result.returncode != 0:
        words = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        raise GitError(" ".join(words[-4:]) or f"git {args[0]} failed with exit code {result.returncode}")
    return result.stdout.strip()


def _resolve(checkout: str, ref: str, env: Mapping[str, str] | None) -> str:
    for candidate in (f"refs/remotes/origin/{ref}", f"refs/tags/{ref}", ref):
        try:
            return _git(["rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"], checkout, env)
        except GitError:
            continue
    raise GitError(f"no branch, tag or commit named '{ref}' in the repository")


def _default_branch(checkout: str, env: Mapping[str, str] | None) -> str:
    try:
        _resolve(checkout, "master", env)
        return "master"
    except GitError:
        pass
    try:
        _git(["remote", "set-head", "origin", "--auto"], checkout, env)
        head = _git(["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], checkout, env)
        return head.split("/", 1)[1]
    except (GitError, IndexError):
        raise GitError("the repository has no master branch and no default branch") from None


def checkout(workspace: str, url: str, ref: str | None, log: Callable[[str], None],
             env: Mapping[str, str] | None = None) -> str:
    """Clone or update URL into workspace/<name> and check out REF; returns the directory name."""
    name = repo_dir_name(url)
    target = os.path.join(workspace, name)
    if os.path.islink(target):
        raise GitError(f"{name} in the workspace is a symlink: refusing to check out there")
    if os.path.islink(os.path.join(target, ".git")):
        raise GitError(f"{name}/.git in the workspace is a symlink: refusing to use it")
    if url.startswith("-") or (ref or "").startswith("-"):
        raise GitError(f"refusing a repo URL or ref starting with '-': {url if url.startswith('-') else ref}")
    if os.path.isdir(os.path.join(target, ".git")):
        # The workspace keeps files only: recreate the folders git needs that may have been empty.
        for folder in ("refs/heads", "refs/tags", "objects"):
            os.makedirs(os.path.join(target, ".git", folder), exist_ok=True)
        _git(["remote", "set-url", "origin", url], target, env)
        _git(["fetch", "--force", "--tags", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*"],
             target, env)
    else:
        if os.path.exists(target) and os.listdir(target):
            raise GitError(f"{name}/ already exists in the workspace and is not a git checkout")
        _git(["clone", "--no-checkout", "--", url, name], workspace, env)
    wanted = ref or _default_branch(target, env)
    commit = _resolve(target, wanted, env)
    _git(["checkout", "--force", "--detach", commit], target, env)
    log(f"git: checked out {wanted} ({commit[:7]}) of {url} into {name}/")
    return name


@contextlib.contextmanager
def ssh_environment(private_key: str | None) -> Iterator[dict[str, str]]:
    """git's environment for one checkout with the project's SSH key, if any.

    The key is written 0600 into a fresh private directory outside every
    workspace, used through GIT_SSH_COMMAND, and removed when the checkout is
    done. Host keys: a new, empty known_hosts file per task, with
    StrictHostKeyChecking=accept-new (a host is trusted on first use within
    the task; nothing is remembered between tasks).
    """
    if not private_key:
        yield {}
        return
    directory = tempfile.mkdtemp(prefix="dsrunner-ssh-")  # mode 0700
    try:
        key_path = os.path.join(directory, "id")
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(private_key if private_key.endswith("\n") else private_key + "\n")
        known_hosts = os.path.join(directory, "known_hosts")
        open(known_hosts, "w").close()
        command = ["ssh", "-i", key_path, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                   "-o", "StrictHostKeyChecking=accept-new", "-o", f"UserKnownHostsFile={known_hosts}"]
        yield {"GIT_SSH_COMMAND": " ".join(shlex.quote(word) for word in command)}
    finally:
        shutil.rmtree(directory, ignore_errors=True)
