"""ds runner: create, list, inspect and remove runners."""

from __future__ import annotations

import argparse
import shlex
from urllib.parse import quote

from dscli.commands import Column, Command, Inspector, Lister
from dscli.output import age

COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("RUNNING TASKS", "running_tasks"),
    Column("STATUS", "status"),
    Column("TYPE", "type"),
    Column("AGE", "created_at", age),
)


def runner_path(ref: str) -> str:
    return "/v2/runners/" + quote(ref, safe="")


def start_command(server_url: str, token: str) -> str:
    return f"ds-runner --server {shlex.quote(server_url)} --token {shlex.quote(token)}"


class CreateRunner(Command):
    """Create a runner and print the command that starts it"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("-q", "--quiet", action="store_true", help="print only the command that starts it")
        parser.add_argument("-d", "--description", default="", help="what the runner is for")
        parser.add_argument("-s", "--size", type=int, default=10, metavar="SIZE",
                            help="storage size in gigabytes (default 10)")
        parser.add_argument("-t", "--type", default="cpu", choices=("cpu", "gpu-nvidia-runtime"),
                            help="the runner type (default cpu)")
        parser.add_argument("name", nargs="?", metavar="NAME", help="the runner's name (default: one is picked)")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        body = {"description": parsed_args.description, "size_gb": parsed_args.size, "type": parsed_args.type}
        if parsed_args.name:
            body["name"] = parsed_args.name
        runner = self.client.post("/v2/runners", json=body)
        command = start_command(self.client.server_url, runner["token"])
        if parsed_args.quiet:
            self.app.stdout.write(command + "\n")
            return 0
        self.app.stdout.write(
            f"Runner ID:        {runner['id']}\n"
            f"Runner name:      {runner['name']}\n"
            f"Runner type:      {runner['type']}\n"
            "\nTo start a runner, run:\n\n"
            f"{command}\n"
        )
        return 0


class ListRunners(Lister):
    """List your runners"""

    columns = COLUMNS
    quiet_key = "name"

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return self.client.get("/v2/runners")


class InspectRunner(Inspector):
    """Print the full details of runners, with their tasks, as JSON"""

    columns = COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("runners", nargs="+", metavar="RUNNER", help="a runner name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [self.client.get(runner_path(ref)) for ref in parsed_args.runners]


class RemoveRunner(Command):
    """Remove runners (their tokens stop working)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("runners", nargs="+", metavar="RUNNER", help="a runner name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.runners:
            runner = self.client.get(runner_path(ref))
            self.client.delete(runner_path(runner["id"]))
            self.app.stdout.write(f"Removed runner {runner['name']} ({runner['id']})\n")
        return 0
