"""ds project: create, list, inspect and remove projects."""

from __future__ import annotations

import argparse
from urllib.parse import quote

from dscli.commands import Column, Command, Inspector, Lister
from dscli.output import age, plain

COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("DOTS", "dots"),
    Column("COLLABORATORS", "collaborators"),
    Column("DATASETS", "datasets", lambda ds: ", ".join(f"{d['name']}:{d['path']}" for d in ds or [])),
    Column("AGE", "created_at", age),
)


def project_path(ref: str) -> str:
    """The API path of a project given by name or ID."""
    return "/v2/projects/" + quote(ref, safe="")


class CreateProject(Command):
    """Create a project and print its ID"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", metavar="NAME", help="the project's name (need not be unique)")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        project = self.client.post("/v2/projects", json={"name": parsed_args.name})
        self.app.stdout.write(f"{project['id']}\n")
        return 0


class ListProjects(Lister):
    """List your projects"""

    columns = COLUMNS
    quiet_key = "name"

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return self.client.get("/v2/projects")


class InspectProject(Inspector):
    """Print the full details of projects, as JSON"""

    columns = COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("projects", nargs="+", metavar="PROJECT", help="a project name or ID")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [self.client.get(project_path(ref)) for ref in parsed_args.projects]


class RemoveProject(Command):
    """Delete projects (there is no undelete)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("projects", nargs="+", metavar="PROJECT", help="a project name or ID")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.projects:
            # Resolve first, then delete by ID: a name can't change meaning in between.
            project = self.client.get(project_path(ref))
            self.client.delete(project_path(project["id"]))
            self.app.stdout.write(f"Deleted project {plain(project['name'])} ({project['id']})\n")
        return 0
