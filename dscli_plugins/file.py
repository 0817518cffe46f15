"""ds file: the files of a project's workspace."""

from __future__ import annotations

import argparse

from dscli.commands import Column, Lister
from dscli.output import size
from dscli_plugins.project import project_path

COLUMNS = (
    Column("NAME", "name"),
    Column("SIZE", "size", size),
    Column("LAST MODIFIED", "last_modified", lambda ts: ts[:19].replace("T", " ") + " UTC" if ts else ""),
)


class ListFiles(Lister):
    """List the files in a project's workspace (its newest version)"""

    columns = COLUMNS
    quiet_key = "name"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("project", metavar="PROJECT", help="a project name or ID")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return self.client.get(project_path(parsed_args.project) + "/files")["files"]
