"""dsrunner.git.checkout against real git repos in tmp_path (file:// URLs and plain paths, no network)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dsrunner import git as dsgit
from dsrunner.git import GitError, checkout, repo_dir_name
from tests.unit.test_runner_agent import assignment, run_task

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True,
                          capture_output=True, text=True).stdout.strip()


def commit(work: Path, text: str) -> str:
    (work / "version.txt").write_text(text + "\n")
    git(work, "add", "version.txt")
    git(work, "commit", "-q", "-m", text)
    return git(work, "rev-parse", "HEAD")


@pytest.fixture
def repos(tmp_path):
    """model (master "two", tag v1 at "one", branch dev "dev") and main-only (branch main only)."""
    model = tmp_path / "src" / "model"
    model.mkdir(parents=True)
    git(model, "init", "-q", "-b", "master")
    first = commit(model, "one")
    git(model, "tag", "v1")
    second = commit(model, "two")
    git(model, "checkout", "-q", "-b", "dev")
    dev = commit(model, "dev")
    git(model, "checkout", "-q", "master")
    main_only = tmp_path / "src" / "main-only"
    main_only.mkdir()
    git(main_only, "init", "-q", "-b", "main")
    commit(main_only, "main")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return {"model": model, "main_only": main_only, "first": first, "second": second, "dev": dev, "ws": workspace}


def head(checkout_dir: Path) -> str:
    return git(checkout_dir, "rev-parse", "HEAD")


def version(checkout_dir: Path) -> str:
    return (checkout_dir / "version.txt").read_text().strip()


@pytest.mark.parametrize("url, name", [
    ("https://h/x/model.git", "model"),
    ("https://h/x/model.git/", "model"),
    ("git@host:team/model.git", "model"),
    ("host:model", "model"),
    ("ssh://git@127.0.0.1:2222/srv/repo.git", "repo"),
    ("file:///tmp/a/b", "b"),
    ("/local/path/proj/", "proj"),
    ("relative/dir.git", "dir"),
    ("https://h/", "code"),
    ("https://h/x/.git", "code"),
    ("https://h/..", "code"),
    ("https://h/.", "code"),
    ("https://h/.hidden", "code"),
    ("https://h/we ird", "code"),
    ("https://h/a%2F..", "code"),
    ("", "code"),
])
def test_the_directory_name_is_deduced_from_the_url_or_code(url, name):
    assert repo_dir_name(url) == name


def test_a_first_checkout_clones_master_and_logs_one_line(repos):
    lines: list[str] = []
    url = f"file://{repos['model']}"
    assert checkout(str(repos["ws"]), url, None, lines.append) == "model"
    target = repos["ws"] / "model"
    assert version(target) == "two" and head(target) == repos["second"]
    assert lines == [f"git: checked out master ({repos['second'][:7]}) of {url} into model/"]
    assert git(target, "status", "--porcelain") == ""


def test_a_plain_path_works_too(repos):
    checkout(str(repos["ws"]), str(repos["model"]) + "/", "dev", lambda _: None)
    assert version(repos["ws"] / "model") == "dev"


def test_without_master_the_remotes_default_branch_is_checked_out(repos):
    lines: list[str] = []
    checkout(str(repos["ws"]), f"file://{repos['main_only']}", None, lines.append)
    assert version(repos["ws"] / "main-only") == "main"
    assert lines[0].startswith("git: checked out main (")


@pytest.mark.parametrize("ref, expected", [("dev", "dev"), ("v1", "one"), ("master", "two")])
def test_a_branch_or_a_tag(repos, ref, expected):
    checkout(str(repos["ws"]), f"file://{repos['model']}", ref, lambda _: None)
    assert version(repos["ws"] / "model") == expected


def test_a_commit_hash_full_or_abbreviated(repos):
    checkout(str(repos["ws"]), f"file://{repos['model']}", repos["first"], lambda _: None)
    assert head(repos["ws"] / "model") == repos["first"]
    checkout(str(repos["ws"]), f"file://{repos['model']}", repos["dev"][:10], lambda _: None)
    assert head(repos["ws"] / "model") == repos["dev"]


def test_a_second_checkout_fetches_new_commits_and_keeps_job_outputs(repos):
    url = f"file://{repos['model']}"
    ws = str(repos["ws"])
    checkout(ws, url, None, lambda _: None)
    target = repos["ws"] / "model"
    (target / "output.bin").write_text("a job's result\n")
    (target / "version.txt").write_text("edited by a job\n")
    # upstream moves on: a new commit on dev, a new branch and a new tag
    git(repos["model"], "checkout", "-q", "dev")
    newer = commit(repos["model"], "dev2")
    git(repos["model"], "checkout", "-q", "-b", "feature")
    feature = commit(repos["model"], "feature")
    git(repos["model"], "tag", "v2", newer)
    git(repos["model"], "checkout", "-q", "master")

    lines: list[str] = []
    checkout(ws, url, "dev", lines.append)
    assert head(target) == newer and version(target) == "dev2"  # forced over the job's edit
    assert (target / "output.bin").read_text() == "a job's result\n"  # untracked files are the user's
    assert lines == [f"git: checked out dev ({newer[:7]}) of {url} into model/"]
    checkout(ws, url, "feature", lambda _: None)
    assert head(target) == feature
    checkout(ws, url, "v2", lambda _: None)
    assert head(target) == newer


def test_an_existing_checkout_follows_a_new_url(repos, tmp_path):
    ws = str(repos["ws"])
    checkout(ws, f"file://{repos['model']}", None, lambda _: None)
    moved = tmp_path / "elsewhere" / "model"
    shutil.copytree(repos["model"], moved)
    git(moved, "checkout", "-q", "-b", "only-there")
    only_there = commit(moved, "moved")
    checkout(ws, str(moved), "only-there", lambda _: None)
    target = repos["ws"] / "model"
    assert head(target) == only_there
    assert git(target, "remote", "get-url", "origin") == str(moved)


def test_a_checkout_saved_without_its_empty_folders_is_still_usable(repos):
    """The workspace keeps files only: a checkout comes back without its empty folders."""
    ws = repos["ws"]
    url = f"file://{repos['model']}"
    checkout(str(ws), url, None, lambda _: None)
    git(ws / "model", "remote", "set-head", "origin", "--delete")
    git(ws / "model", "pack-refs", "--all")  # refs/ now holds only empty folders
    assert not [f for _, _, files in os.walk(ws / "model" / ".git" / "refs") for f in files]
    saved = repos["ws"].parent / "saved"
    for dirpath, _dirs, files in os.walk(ws):
        for name in files:
            src = Path(dirpath) / name
            dest = saved / src.relative_to(ws)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    checkout(str(saved), url, "v1", lambda _: None)
    assert version(saved / "model") == "one"


def test_an_unknown_ref_raises_and_leaves_the_checkout_alone(repos):
    url = f"file://{repos['model']}"
    checkout(str(repos["ws"]), url, "dev", lambda _: None)
    lines: list[str] = []
    with pytest.raises(GitError, match="no branch, tag or commit named 'nope'"):
        checkout(str(repos["ws"]), url, "nope", lines.append)
    assert lines == []
    assert version(repos["ws"] / "model") == "dev"


def test_a_bad_url_raises_with_gits_own_message(repos, tmp_path):
    with pytest.raises(GitError) as caught:
        checkout(str(repos["ws"]), f"file://{tmp_path}/no-such.git", None, lambda _: None)
    message = str(caught.value)
    assert "does not appear to be a git repository" in message or "not found" in message.lower()
    assert "\n" not in message
    assert not (repos["ws"] / "no-such").exists()


def test_a_ref_or_url_that_looks_like_an_option_is_refused(repos):
    with pytest.raises(GitError, match="starting with '-'"):
        checkout(str(repos["ws"]), f"file://{repos['model']}", "--orphan", lambda _: None)
    with pytest.raises(GitError, match="starting with '-'"):
        checkout(str(repos["ws"]), "--upload-pack=touch /tmp/x", None, lambda _: None)
    assert os.listdir(repos["ws"]) == []


def test_a_symlinked_checkout_directory_is_refused(repos, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repos["ws"] / "model").symlink_to(outside)
    with pytest.raises(GitError, match="symlink"):
        checkout(str(repos["ws"]), f"file://{repos['model']}", None, lambda _: None)
    assert os.listdir(outside) == []


def test_a_non_git_folder_with_the_same_name_is_not_overwritten(repos):
    (repos["ws"] / "model").mkdir()
    (repos["ws"] / "model" / "mine.txt").write_text("keep")
    with pytest.raises(GitError, match="not a git checkout"):
        checkout(str(repos["ws"]), f"file://{repos['model']}", None, lambda _: None)
    assert os.listdir(repos["ws"] / "model") == ["mine.txt"]


def test_a_broken_checkout_never_reaches_a_repository_around_the_workspace(repos, tmp_path):
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    git(outer, "remote", "add", "origin", "https://example.invalid/outer.git")
    ws = outer / "ws"
    (ws / "model" / ".git").mkdir(parents=True)  # not a repository at all
    with pytest.raises(GitError):
        checkout(str(ws), f"file://{repos['model']}", None, lambda _: None)
    assert git(outer, "remote", "get-url", "origin") == "https://example.invalid/outer.git"


def test_inherited_git_dir_is_ignored_and_the_callers_env_reaches_git(repos, monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    # fake://host/model only resolves through the config the caller's environment carries
    env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.file://{repos['model'].parent}/.insteadOf",
           "GIT_CONFIG_VALUE_0": "fake://host/"}
    checkout(str(repos["ws"]), "fake://host/model", None, lambda _: None, env=env)
    assert version(repos["ws"] / "model") == "two"
    assert not (tmp_path / "elsewhere").exists()
    with pytest.raises(GitError):
        checkout(str(repos["ws"]), "fake://host/model", None, lambda _: None)


def test_git_missing_is_a_git_error(repos, monkeypatch):
    monkeypatch.setenv("PATH", str(repos["ws"]))
    with pytest.raises(GitError, match="git is not installed"):
        checkout(str(repos["ws"]), f"file://{repos['model']}", None, lambda _: None)


# -- TaskRun ------------------------------------------------------------------------------------



def test_a_task_with_a_repo_runs_in_its_checkout_and_saves_it(hub, client, repos, tmp_path):
    url = f"file://{repos['model']}"
    run_task(hub, client, tmp_path, assignment(hub, ["sh", "-c", "cat model/version.txt > seen.txt"],
                                               repo=url, ref="v1"))
    finished = hub.finished["task-1"]
    assert finished["state"] == "succeeded"
    put = finished["changes"]["put"]
    assert hub.blobs[put["seen.txt"]["sha256"]] == b"one\n"
    assert "model/version.txt" in put and "model/.git/HEAD" in put  # saved into the workspace
    assert ("system", f"git: checked out v1 ({repos['first'][:7]}) of {url} into model/") in hub.lines("task-1")


def test_a_git_failure_fails_the_task_without_running_the_command(hub, client, repos, tmp_path):
    run_task(hub, client, tmp_path, assignment(hub, ["sh", "-c", "touch ran"], repo=f"file://{repos['model']}",
                                               ref="no-such-ref"))
    finished = hub.finished["task-1"]
    assert finished["state"] == "failed" and finished["exit_code"] is None
    assert finished["reason"].startswith("git: ") and "no-such-ref" in finished["reason"]
    assert "ran" not in finished["changes"]["put"]
    assert ("system", finished["reason"]) in hub.lines("task-1")
    assert not any(line == ("system", "exit code 0") for line in hub.lines("task-1"))


def test_a_clone_failure_reports_gits_message(hub, client, tmp_path):
    run_task(hub, client, tmp_path, assignment(hub, ["touch", "ran"], repo=f"file://{tmp_path}/missing.git"))
    finished = hub.finished["task-1"]
    assert finished["state"] == "failed" and finished["reason"].startswith("git: ")
    assert "missing.git" in finished["reason"]


def test_without_a_repo_git_is_not_involved(hub, client, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("git.checkout called")

    monkeypatch.setattr(dsgit, "checkout", boom)
    run_task(hub, client, tmp_path, assignment(hub, ["true"], repo=None, ref=None))
    assert hub.finished["task-1"]["state"] == "succeeded"
