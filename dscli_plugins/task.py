"""ds task: list, inspect, stop and remove tasks (jobs started with ds run)."""

from __future__ import annotations

import argparse
from urllib.parse import quote

from dscli.commands import Column, Command, Inspector, Lister
from dscli.output import age

COLUMNS = (
    Column("ID", "id"),
    Column("STATUS", "state"),
    Column("WORKLOAD", "workload"),
    Column("AGE", "created_at", age),
)


def task_path(ref: str) -> str:
    return "/v2/tasks/" + quote(ref, safe="")


def _task_args(parser: argparse.ArgumentParser, many: bool = True) -> argparse.ArgumentParser:
    parser.add_argument("tasks" if many else "task", nargs="+" if many else None, metavar="ID",
                        help="a task ID, or a unique prefix of one")
    return parser


class ListTasks(Lister):
    """List your tasks"""

    columns = COLUMNS

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return self.client.get("/v2/tasks")


class InspectTask(Inspector):
    """Print the full details of tasks, as JSON"""

    columns = COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return _task_args(super().get_parser(prog_name))

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [self.client.get(task_path(ref)) for ref in parsed_args.tasks]


class StopTask(Command):
    """Ask running tasks to stop (watch their status for when they have)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return _task_args(super().get_parser(prog_name))

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.tasks:
            task = self.client.post(task_path(ref) + "/stop")
            self.app.stdout.write(f"{task['id']} {task['state']}\n")
        return 0


class RemoveTask(Command):
    """Remove terminated tasks from the list"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return _task_args(super().get_parser(prog_name))

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.tasks:
            task = self.client.get(task_path(ref))
            self.client.delete(task_path(task["id"]))
            self.app.stdout.write(f"Removed task {task['id']}\n")
        return 0
