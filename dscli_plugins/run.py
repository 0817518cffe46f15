"""ds run: run a job on a runner and (unless -d) watch it."""

from __future__ import annotations

import argparse
import os
import sys

from dscli.commands import Command
from dscli.errors import UsageError
from dscli.exitcodes import ExitStatus
from dscli_plugins.logs import pages
from dscli_plugins.task import task_path


def parse_assignments(values: list[str], flag: str) -> dict[str, str]:
    """NAME=VALUE, or NAME alone for the value of $NAME here (the manual's -e and -r)."""
    result = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not name:
            raise UsageError(f"{flag} {item!r}: give NAME=VALUE or NAME")
        if not sep:
            if name not in os.environ:
                raise UsageError(f"{flag} {name}: ${name} is not set here; give {name}=VALUE")
            value = os.environ[name]
        result[name] = value
    return result


def job_exit_status(task: dict) -> int:
    """ds run exits with the job's own exit code."""
    if task.get("exit_code") is not None:
        return int(task["exit_code"])
    if task["state"] == "succeeded":
        return 0
    if task["state"] == "stopped":
        return ExitStatus.INTERRUPTED
    return ExitStatus.ERROR


class RunJob(Command):
    """Run a job: COMMAND in the workspace of PROJECT, on a runner"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("-p", "--project", required=True, metavar="PROJECT", help="project name or ID")
        parser.add_argument("-d", "--detach", action="store_true",
                            help="print the task ID once scheduled and return at once")
        parser.add_argument("-I", "--image", metavar="IMAGE",
                            help="the image to run in (default: python:3 with the Dotscience library)")
        parser.add_argument("-e", "--env", action="append", default=[], metavar="NAME[=VALUE]",
                            help="an environment variable for the job; NAME alone passes $NAME through")
        parser.add_argument("-r", "--runner-label", action="append", default=[], metavar="NAME[=VALUE]",
                            help="a label the runner must have; NAME alone takes $NAME's value")
        parser.add_argument("-u", "--upload", metavar="DIRECTORY",
                            help="upload DIRECTORY (but hidden and .dotscience-ignore'd files) into the workspace "
                                 "first; only changed files travel")
        parser.add_argument("-R", "--repo", metavar="REPO",
                            help="git clone/fetch REPO into a subdirectory of the workspace before the job")
        parser.add_argument("-b", "--ref", metavar="REF",
                            help="the branch, tag or commit of REPO to check out (default master)")
        parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND...", help="the job's command")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        command = parsed_args.command
        if command and command[0] == "--":
            command = command[1:]
        if not command:
            raise UsageError("no COMMAND given: ds run -p PROJECT COMMAND...")
        if parsed_args.ref and not parsed_args.repo:
            raise UsageError("-b REF needs -R REPO")
        env = parse_assignments(parsed_args.env, "-e")
        labels = parse_assignments(parsed_args.runner_label, "-r")
        if parsed_args.upload:
            from dscli.workspace.upload import upload_directory

            upload_directory(self.client, parsed_args.project, parsed_args.upload, self.app.stderr)
        body = {
            "project": parsed_args.project,
            "command": command,
            "env": env,
            "labels": labels,
            "image": parsed_args.image,
            "repo": parsed_args.repo,
            "ref": parsed_args.ref,
        }
        task = self.client.post("/v2/tasks", json=body)
        if parsed_args.detach:
            self.app.stdout.write(f"{task['id']}\n")
            return 0
        self._watch(task["id"])
        task = self.client.get(task_path(task["id"]))
        self._print_metadata(task)
        return job_exit_status(task)

    def _watch(self, task_id: str) -> None:
        """Stream the job's output; the first Ctrl+C stops the task, the second leaves."""
        out, err = self.app.stdout, self.app.stderr
        after, stopping = 0, False
        while True:
            try:
                for page in pages(self.client, task_id, follow=True, after=after):
                    for entry in page:
                        if entry["stream"] == "stdout":
                            out.write(entry["line"] + "\n")
                        elif entry["stream"] == "stderr":
                            err.write(entry["line"] + "\n")
                        after = entry["seq"]
                    out.flush()
                    err.flush()
                return
            except KeyboardInterrupt:
                if stopping:
                    err.write(f"ds: left task {task_id} stopping; see ds task inspect {task_id[:12]}\n")
                    raise
                stopping = True
                err.write(f"ds: stopping task {task_id} (Ctrl+C again to leave it)\n")
                self.client.post(task_path(task_id) + "/stop")

    def _print_metadata(self, task: dict) -> None:
        code = "" if task.get("exit_code") is None else f", exit code {task['exit_code']}"
        reason = task.get("reason")
        shown = reason and task["state"] != "succeeded" and not reason.startswith("exit code")
        reason = f" ({reason})" if shown else ""
        lines = [
            f"Task:      {task['id']}",
            f"State:     {task['state']}{code}{reason}",
            f"Runner:    {task.get('runner_id') or '-'}",
            f"Workspace: {task.get('workspace_version_in') or '(empty)'} -> {task.get('workspace_version_out') or '-'}",
        ]
        self.app.stderr.write("\n".join(lines) + "\n")
        sys.stderr.flush()
