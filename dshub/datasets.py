"""S3 datasets: the hub syncs each bucket (or prefix) into its blob store with boto3.

Objects are content-addressed like every blob, so identical objects are stored
once. A re-sync lists the bucket and fetches only objects that are new or whose
ETag or size changed; objects gone from the bucket leave the dataset. Progress
(objects and bytes synced of the total) is kept on the dataset row. Bad
credentials, a missing bucket or an unreachable endpoint end the sync with
status ``error`` and the reason, within the client's timeouts.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import delete, select

from dshub.models import Dataset, DatasetObject, utcnow
from dshub.workspaces import valid_path

LOG = logging.getLogger(__name__)
CHUNK = 1 << 20
PROGRESS_EVERY = 0.5  # seconds between progress writes


def s3_client(dataset: Dataset, secret: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=dataset.endpoint_url or None, region_name=dataset.region or "us-east-1",
        aws_access_key_id=dataset.access_key_id, aws_secret_access_key=secret,
        config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2}),
    )


def describe_error(exc: Exception) -> str:
    from botocore.exceptions import ClientError, EndpointConnectionError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "error"), error.get("Message", "")
        if code in ("NoSuchBucket", "404"):
            return "no such bucket"
        return f"{code}: {message}".strip(": ")
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach the S3 endpoint: {exc}"
    return " ".join(str(exc).split()) or type(exc).__name__


def object_path(key: str, prefix: str) -> str | None:
    """Where an object appears in the mount, or None for keys that can't be a file (folders, '..')."""
    rel = key[len(prefix):] if prefix and key.startswith(prefix) else key
    rel = rel.lstrip("/")
    return rel if valid_path(rel) else None


class DatasetSyncer:
    """Runs syncs in background threads, one at a time per dataset."""

    def __init__(self, sessions, store, secretbox, workers: int = 2) -> None:
        self.sessions, self.store, self.secretbox = sessions, store, secretbox
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dataset-sync")
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def request(self, dataset_id: str) -> bool:
        with self._lock:
            if dataset_id in self._running:
                return False
            self._running.add(dataset_id)
        self.pool.submit(self._sync_safely, dataset_id)
        return True

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _sync_safely(self, dataset_id: str) -> None:
        try:
            self.sync(dataset_id)
        except Exception as exc:  # never let a sync kill the worker
            LOG.exception("dataset %s: sync failed", dataset_id)
            with self.sessions() as session:
                dataset = session.get(Dataset, dataset_id)
                if dataset is not None:
                    dataset.status, dataset.error = "error", describe_error(exc)
                    session.commit()
        finally:
            with self._lock:
                self._running.discard(dataset_id)

    def sync(self, dataset_id: str) -> None:
        with self.sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            if dataset is None:
                return
            dataset.status, dataset.error = "syncing", None
            session.commit()
            client = s3_client(dataset, self.secretbox.decrypt(dataset.secret_encrypted))
            listing = []
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=dataset.bucket,
                                                                          Prefix=dataset.prefix or ""):
                for item in page.get("Contents", []):
                    if object_path(item["Key"], dataset.prefix) is not None:
                        listing.append((item["Key"], item["ETag"].strip('"'), int(item["Size"])))
            known = {o.key: o for o in session.scalars(select(DatasetObject).where(
                DatasetObject.dataset_id == dataset_id))}
            todo = [(k, e, s) for k, e, s in listing
                    if k not in known or known[k].etag != e or known[k].size != s]
            dataset.objects_total, dataset.bytes_total = len(listing), sum(s for _, _, s in listing)
            dataset.objects_synced = len(listing) - len(todo)
            dataset.bytes_synced = dataset.bytes_total - sum(s for _, _, s in todo)
            dataset.objects_transferred = 0
            session.commit()
            last_write = time.monotonic()
            for key, etag, size in todo:
                body = client.get_object(Bucket=dataset.bucket, Key=key)["Body"]
                with self.store.anonymous_writer() as writer:
                    for chunk in body.iter_chunks(CHUNK):
                        writer.write(chunk)
                if key in known:
                    row = known[key]
                    row.etag, row.size, row.sha256 = etag, writer.size, writer.sha256
                else:
                    session.add(DatasetObject(dataset_id=dataset_id, key=key, etag=etag, size=writer.size,
                                              sha256=writer.sha256))
                dataset.objects_synced += 1
                dataset.bytes_synced += size
                dataset.objects_transferred += 1
                if time.monotonic() - last_write >= PROGRESS_EVERY:
                    session.commit()
                    last_write = time.monotonic()
            gone = set(known) - {k for k, _, _ in listing}
            if gone:
                session.execute(delete(DatasetObject).where(DatasetObject.dataset_id == dataset_id,
                                                            DatasetObject.key.in_(gone)))
            if todo or gone or dataset.version == 0:
                dataset.version += 1
            dataset.status, dataset.synced_at = "synced", utcnow()
            session.commit()


def dataset_manifest(session, dataset: Dataset) -> dict[str, dict]:
    """The files a task sees at ./PATH/: object path -> blob."""
    files = {}
    for obj in session.scalars(select(DatasetObject).where(DatasetObject.dataset_id == dataset.id)):
        path = object_path(obj.key, dataset.prefix)
        if path:
            files[path] = {"sha256": obj.sha256, "size": obj.size, "mode": 0o444, "mtime": 0.0}
    return files


def linked_datasets(session, task) -> list[dict]:
    """The synced datasets linked to a task's project, as mounts for its runner."""
    from dshub.models import ProjectDataset

    rows = session.execute(select(Dataset, ProjectDataset.path).join(
        ProjectDataset, ProjectDataset.dataset_id == Dataset.id).where(ProjectDataset.project_id == task.project_id))
    return [{"path": path, "dataset_id": dataset.id, "name": dataset.name, "version": dataset.version,
             "manifest": dataset_manifest(session, dataset)} for dataset, path in rows]
