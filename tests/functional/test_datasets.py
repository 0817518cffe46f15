"""S3 datasets against moto's real S3 server on 127.0.0.1: sync, status, mounts, isolation."""

from __future__ import annotations

import glob
import json
import time
from pathlib import Path

import pytest

from tests.functional.conftest import PASSWORD
from tests.lib.processes import MotoS3, free_port


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """moto's S3 server with authentication on: an IAM user's key pair, and a boto3 client with it."""
    moto = MotoS3(tmp_path_factory.mktemp("moto") / "moto.log", auth_after=3).start()
    iam = moto.client("iam")
    iam.create_user(UserName="ds")
    iam.put_user_policy(UserName="ds", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ds")["AccessKey"]
    client = moto.client("s3", key["AccessKeyId"], key["SecretAccessKey"])
    yield {"url": moto.url, "key": key["AccessKeyId"], "secret": key["SecretAccessKey"], "client": client}
    moto.stop()


def make_bucket(s3, name: str, objects: dict[str, bytes]) -> None:
    s3["client"].create_bucket(Bucket=name)
    for key, body in objects.items():
        s3["client"].put_object(Bucket=name, Key=key, Body=body)


def create(user, s3, name: str, bucket: str, secret: str | None = None, url: str | None = None) -> str:
    return user.ok("dataset", "create", "s3", "--name", name, "--access-key-id", s3["key"],
                   "--secret-access-key", secret or s3["secret"], "--bucket", bucket,
                   "--endpoint-url", url or s3["url"]).stdout.strip()


def wait_dataset(user, name: str, states=("synced", "error"), timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [dataset] = user.ok("dataset", "inspect", name).json
        if dataset["status"] in states:
            return dataset
        time.sleep(0.2)
    raise AssertionError(f"dataset {name} still {dataset['status']}")


def test_sync_mount_and_incremental_resync(user, start_runner, s3):
    start_runner()
    make_bucket(s3, "training", {f"images/{i:02d}.txt": f"image {i}\n".encode() for i in range(20)}
                | {"labels.csv": b"id,label\n1,cat\n"})
    dataset_id = create(user, s3, "training", "training")
    assert len(dataset_id) == 36
    dataset = wait_dataset(user, "training")
    assert dataset["status"] == "synced", dataset
    assert dataset["objects_total"] == dataset["objects_synced"] == 21
    assert dataset["bytes_total"] == dataset["bytes_synced"] > 0
    assert dataset["secret_access_key"] == "********" and s3["secret"] not in user.ok("dataset", "inspect",
                                                                                       "training").stdout
    table = user.ok("dataset", "ls").lines
    assert [h.strip() for h in table[1].strip("|").split("|")] == ["ID", "NAME", "SYNC STATUS", "AGE"]
    assert "synced" in table[3]
    assert user.ok("dataset", "ls", "-q").stdout == "training\n"

    user.ok("project", "dataset", "link", "P", "training", "s3")
    [project] = user.ok("project", "inspect", "P").json
    assert project["dots"] == 2 and project["datasets"] == [{"dataset_id": dataset_id, "name": "training",
                                                              "path": "s3"}]
    assert "training:s3" in user.ok("project", "ls").stdout

    out = user.ok("run", "-p", "P", "sh", "-c",
                  "cat ./s3/labels.csv; ls s3/images | wc -l; echo changed > s3/labels.csv 2>/dev/null; "
                  "echo result > out.txt").stdout
    assert out.startswith("id,label\n1,cat\n") and "20" in out
    files = user.ok("file", "ls", "-q", "P").stdout.split()
    assert files == ["out.txt"]  # dataset files never enter the workspace's versions
    again = user.ok("run", "-p", "P", "cat", "s3/labels.csv").stdout
    assert again == "id,label\n1,cat\n"  # a job cannot change the dataset through the mount

    s3["client"].put_object(Bucket="training", Key="images/new.txt", Body=b"new image\n")
    user.ok("dataset", "sync", "training")
    time.sleep(0.3)
    dataset = wait_dataset(user, "training")
    assert dataset["objects_total"] == 22 and dataset["objects_transferred"] == 1
    assert user.ok("run", "-p", "P", "cat", "s3/images/new.txt").stdout == "new image\n"

    removal = user("dataset", "rm", "training")
    assert removal.returncode == 1 and "--force" in removal.stderr
    user.ok("project", "dataset", "unlink", "P", "training")
    assert user.ok("project", "inspect", "P").json[0]["datasets"] == []
    user.ok("dataset", "rm", "training")
    assert user.ok("dataset", "ls", "-f", "json").json == []


def test_runs_record_dataset_inputs_with_the_dataset_version(user, start_runner, s3):
    start_runner()
    make_bucket(s3, "inputs", {"data.csv": b"x\n1\n"})
    dataset_id = create(user, s3, "inputs", "inputs")
    version = wait_dataset(user, "inputs")["version"]
    user.ok("project", "dataset", "link", "P", "inputs", "s3")
    job = ("import dotscience as ds\nds.script()\nds.start()\nds.input('s3/data.csv')\n"
           "ds.summary('rows', len(open('s3/data.csv').readlines()))\nds.publish('read the dataset')\n")
    user.ok("run", "-p", "P", "python", "-c", job)
    [run] = user.ok("runs", "ls", "P", "-f", "json").json
    [detail] = user.ok("runs", "inspect", "--project", "P", run["id"]).json
    [data] = detail["input_files"]
    assert data["dataset_id"] == dataset_id and data["dataset_version"] == version and len(data["sha256"]) == 64
    user.ok("dataset", "rm", "--force", "inputs")
    assert user.ok("project", "inspect", "P").json[0]["datasets"] == []


def test_bad_credentials_missing_bucket_and_dead_endpoint_are_clear_errors(user, s3):
    make_bucket(s3, "exists", {"a": b"a"})
    create(user, s3, "wrong-secret", "exists", secret="not-the-secret")
    create(user, s3, "no-bucket", "does-not-exist")
    create(user, s3, "dead-endpoint", "exists", url=f"http://127.0.0.1:{free_port()}")
    assert "SignatureDoesNotMatch" in wait_dataset(user, "wrong-secret")["error"]
    assert wait_dataset(user, "no-bucket")["error"] == "no such bucket"
    dead = wait_dataset(user, "dead-endpoint", timeout=90)
    assert dead["status"] == "error" and "cannot reach" in dead["error"]
    listing = user.ok("dataset", "ls").stdout
    assert "error: no such bucket" in listing and "error: SignatureDoesNotMatch" in listing
    user.ok("project", "ls")  # the hub still serves


def test_another_user_cannot_see_link_or_remove_a_dataset_and_keys_are_encrypted(user, s3, jobs_hub, make_ds):
    make_bucket(s3, "private", {"a": b"a"})
    dataset_id = create(user, s3, "private", "private")
    wait_dataset(user, "private")
    name = f"intruder-{dataset_id[:8]}"
    jobs_hub.create_user(name, PASSWORD)
    other = make_ds(server_url=jobs_hub.url)
    other.login(name, PASSWORD)
    other.ok("project", "create", "Q")
    assert other.ok("dataset", "ls", "-f", "json").json == []
    for ref in (dataset_id, "private"):
        assert other("dataset", "inspect", ref).returncode == 3
        assert other("dataset", "rm", "--force", ref).returncode == 3
        assert other("project", "dataset", "link", "Q", ref, "s3").returncode == 3
    stored = b"".join(Path(f).read_bytes() for f in glob.glob(str(jobs_hub.data_dir / "hub.db*")))
    assert s3["secret"].encode() not in stored
    assert user.ok("dataset", "inspect", "private").json[0]["status"] == "synced"
