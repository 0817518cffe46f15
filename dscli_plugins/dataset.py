"""ds dataset: S3 datasets the hub syncs; and ds project dataset link/unlink."""

from __future__ import annotations

import argparse
from urllib.parse import quote

from dscli.commands import Column, Command, Inspector, Lister
from dscli.output import age, size
from dscli_plugins.project import project_path


def sync_status(dataset: dict) -> str:
    """'syncing 1.2 GB / 4.0 GB (30%)', 'synced', 'error: ...' or 'pending'."""
    status = dataset.get("status")
    if status == "error":
        return f"error: {dataset.get('error') or 'unknown'}"
    if status == "syncing":
        total = dataset.get("bytes_total") or 0
        done = dataset.get("bytes_synced") or 0
        percent = int(100 * done / total) if total else 0
        return f"syncing {size(done)} / {size(total)} ({percent}%)"
    return status or ""


def dataset_path(ref: str) -> str:
    return "/v2/datasets/" + quote(ref, safe="")


COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("SYNC STATUS", "sync_status"),
    Column("AGE", "created_at", age),
)


def _with_status(dataset: dict) -> dict:
    """The API's record plus `sync_status`, the line people read (the raw numbers stay)."""
    return {**dataset, "sync_status": sync_status(dataset)}


class _StatusColumns:
    columns = COLUMNS


class CreateDataset(Command):
    """Create an S3 dataset and print its ID (the hub then syncs it in the background)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("kind", choices=("s3",), help="the kind of dataset: s3")
        parser.add_argument("--name", required=True, help="the dataset's name")
        parser.add_argument("--access-key-id", required=True, metavar="AWS_ACCESS_KEY")
        parser.add_argument("--secret-access-key", required=True, metavar="AWS_SECRET_ACCESS_KEY")
        parser.add_argument("--bucket", required=True, metavar="BUCKET_NAME")
        parser.add_argument("--endpoint-url", metavar="URL", help="an S3-compatible endpoint (MinIO, Ceph, ...)")
        parser.add_argument("--region", metavar="REGION", help="the bucket's region (default us-east-1)")
        parser.add_argument("--prefix", default="", metavar="PREFIX", help="only objects under this key prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        body = {"name": parsed_args.name, "kind": parsed_args.kind, "bucket": parsed_args.bucket,
                "access_key_id": parsed_args.access_key_id, "secret_access_key": parsed_args.secret_access_key,
                "endpoint_url": parsed_args.endpoint_url, "region": parsed_args.region, "prefix": parsed_args.prefix}
        self.app.stdout.write(self.client.post("/v2/datasets", json=body)["id"] + "\n")
        return 0


class ListDatasets(_StatusColumns, Lister):
    """List your datasets with their sync status"""

    quiet_key = "name"

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [_with_status(d) for d in self.client.get("/v2/datasets")]


class InspectDataset(_StatusColumns, Inspector):
    """Print the full details of datasets, as JSON (the secret key redacted)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("datasets", nargs="+", metavar="DATASET", help="a dataset name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [_with_status(self.client.get(dataset_path(ref))) for ref in parsed_args.datasets]


class SyncDataset(Command):
    """Sync datasets again from S3 (only new or changed objects travel)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("datasets", nargs="+", metavar="DATASET", help="a dataset name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.datasets:
            self.app.stdout.write(self.client.post(dataset_path(ref) + "/sync")["id"] + "\n")
        return 0


class RemoveDataset(Command):
    """Delete datasets (refused while linked to a project, unless --force)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--force", action="store_true", help="unlink it from every project and delete it")
        parser.add_argument("datasets", nargs="+", metavar="DATASET", help="a dataset name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.datasets:
            dataset = self.client.get(dataset_path(ref))
            self.client.delete(dataset_path(dataset["id"]), params={"force": "true"} if parsed_args.force else None)
            self.app.stdout.write(f"Deleted dataset {dataset['name']} ({dataset['id']})\n")
        return 0


class LinkDataset(Command):
    """Link a dataset to a project: its tasks see it read-only at ./PATH"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("project", metavar="PROJECT")
        parser.add_argument("dataset", metavar="DATASET")
        parser.add_argument("path", metavar="PATH", help="where tasks see it, relative to their workspace (e.g. s3)")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        self.client.post(project_path(parsed_args.project) + "/datasets",
                         json={"dataset": parsed_args.dataset, "path": parsed_args.path})
        return 0


class UnlinkDataset(Command):
    """Unlink a dataset from a project"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("project", metavar="PROJECT")
        parser.add_argument("dataset", metavar="DATASET")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        self.client.delete(project_path(parsed_args.project) + "/datasets/" + quote(parsed_args.dataset, safe=""))
        return 0
