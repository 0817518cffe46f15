"""ds secret: SSH keys per project, the manual's jq pipelines, and private git repos over a real sshd."""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.functional.conftest import PASSWORD
from tests.lib.processes import free_port, stop_process

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
PIPELINE = "ds secret inspect {name} | jq -r .[0].data | base64 -d | jq -r .{field} | base64 -d"


def pipeline(user, name: str, field: str) -> str:
    result = subprocess.run(["bash", "-o", "pipefail", "-c", PIPELINE.format(name=name, field=field)],
                            env=user.env, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def ds_on_path(user):
    from tests.lib.processes import BIN

    user.env["PATH"] = f"{BIN}:{os.environ['PATH']}"
    return user


def test_generate_prints_an_openssh_public_key_and_the_manual_pipelines_work(ds_on_path, tmp_path):
    user = ds_on_path
    public = user.ok("secret", "generate", "--project", "P", "--name", "deploy").stdout
    assert public.count("\n") == 1 and public.startswith("ssh-ed25519 AAAA")
    assert pipeline(user, "deploy", "public_key").strip() == public.strip()
    private = pipeline(user, "deploy", "private_key")
    assert private.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    key_file = tmp_path / "key"
    key_file.write_text(private)
    key_file.chmod(0o600)
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(key_file)], capture_output=True, text=True, check=True)
    assert derived.stdout.split()[:2] == public.split()[:2]
    rsa = user.ok("secret", "generate", "--project", "P", "--name", "legacy", "--type", "rsa").stdout
    assert rsa.startswith("ssh-rsa ")
    table = user.ok("secret", "ls").lines
    assert [h.strip() for h in table[1].strip("|").split("|")] == ["ID", "NAME", "TYPE", "PROJECT", "AGE"]
    assert "ssh-ed25519" in table[3] and " P " in table[3]
    assert user.ok("secret", "ls", "-q").stdout == "deploy\nlegacy\n"
    assert "private_key" not in user.ok("secret", "ls", "-f", "json").stdout
    user.ok("secret", "rm", "legacy")
    assert user.ok("secret", "ls", "-q").stdout == "deploy\n"


def test_another_user_cannot_see_inspect_remove_or_use_a_secret(user, jobs_hub, make_ds):
    user.ok("secret", "generate", "--project", "P", "--name", "mine")
    secret_id = user.ok("secret", "ls", "-f", "json").json[0]["id"]
    other_name = f"other-{secret_id[:8]}"
    jobs_hub.create_user(other_name, PASSWORD)
    other = make_ds(server_url=jobs_hub.url)
    other.login(other_name, PASSWORD)
    assert other.ok("secret", "ls", "-f", "json").json == []
    for ref in ("mine", secret_id):
        assert other("secret", "inspect", ref).returncode == 3
        assert other("secret", "rm", ref).returncode == 3
    assert other("secret", "generate", "--project", "P", "--name", "steal").returncode == 3  # not their project
    assert user.ok("secret", "ls", "-q").stdout == "mine\n"
    # at rest, the private key is encrypted: no line of it is in the database files
    private = user.ok("secret", "inspect", "mine").json[0]["data"]
    import base64
    import json as json_module

    key = base64.b64decode(json_module.loads(base64.b64decode(private))["private_key"]).decode()
    body = [line for line in key.splitlines() if "PRIVATE KEY" not in line]
    stored = b"".join(Path(f).read_bytes() for f in glob.glob(str(jobs_hub.data_dir / "hub.db*")))
    assert body and not any(line.encode() in stored for line in body)


@pytest.fixture
def sshd(tmp_path):
    if not os.path.exists(SSHD):
        pytest.skip("openssh-server is not installed (.ci/run installs it)")
    directory = tmp_path / "sshd"
    directory.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(directory / "host_key")], check=True)
    authorized = directory / "authorized_keys"
    authorized.write_text("")
    port = free_port()
    config = directory / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {directory / 'host_key'}",
        f"PidFile {directory / 'sshd.pid'}", f"AuthorizedKeysFile {authorized}", "StrictModes no",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
        "PermitRootLogin prohibit-password", "PubkeyAuthentication yes", "",
    ]))
    os.makedirs("/run/sshd", exist_ok=True)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield {"port": port, "authorized": authorized}
    stop_process(proc)


@pytest.fixture
def private_repo(tmp_path):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    work = tmp_path / "private-work"
    work.mkdir()
    for args in (["init", "-q", "-b", "master"], ["add", "."], ["commit", "-q", "-m", "x"]):
        if args[0] == "add":
            (work / "secret-code.txt").write_text("from the private repo\n")
        subprocess.run(["git", *args], cwd=work, env=env, check=True)
    bare = tmp_path / "private.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def test_private_repo_over_ssh_uses_the_projects_key_and_leaves_no_key_behind(user, start_runner, sshd,
                                                                               private_repo):
    start_runner()
    public = user.ok("secret", "generate", "--project", "P", "--name", "deploy").stdout
    url = f"ssh://{getpass.getuser()}@127.0.0.1:{sshd['port']}{private_repo}"
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "dsrunner-ssh-*")))
    refused = user("run", "-p", "P", "-R", url, "true")
    assert refused.returncode == 1
    task = user.ok("task", "ls", "-f", "json").json[-1]
    assert task["state"] == "failed" and task["reason"].startswith("git:") and "Permission denied" in task["reason"]
    sshd["authorized"].write_text(public)
    result = user.ok("run", "-p", "P", "-R", url, "sh", "-c", "cat private/secret-code.txt; env")
    assert result.stdout.startswith("from the private repo\n")
    assert "GIT_SSH_COMMAND" not in result.stdout and "PRIVATE KEY" not in result.stdout
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "dsrunner-ssh-*"))) == before
    names = user.ok("file", "ls", "-q", "P").stdout.split()
    assert "private/secret-code.txt" in names
    assert not [n for n in names if "known_hosts" in n or n.endswith("/id") or n == "id"]
    logs = "\n".join(user.ok("logs", "-v", t["id"]).stdout for t in user.ok("task", "ls", "-f", "json").json)
    assert "PRIVATE KEY" not in logs
    assert "PRIVATE KEY" not in user.ok("task", "ls", "-f", "json").stdout
