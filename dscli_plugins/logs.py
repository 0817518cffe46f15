"""ds logs: print (and follow) a task's logs."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from dscli.commands import Command
from dscli_plugins.task import task_path

FOLLOW_WAIT = 20


def pages(client, task_id: str, follow: bool, after: int = 0) -> Iterator[list[dict]]:
    """Pages of log entries after seq `after`; following, until the task terminates.

    Each request asks for what comes after the last seq seen, so a retry or a
    reconnect neither loses nor repeats a line.
    """
    while True:
        page = client.get(task_path(task_id) + "/logs",
                          params={"after": after, "wait": FOLLOW_WAIT if follow else 0},
                          timeout=FOLLOW_WAIT + 30)
        if page["entries"]:
            yield page["entries"]
        after = page["next"]
        if page["done"] or (not follow and not page["entries"]):
            return


def format_entry(entry: dict, verbose: bool) -> str | None:
    """The manual's format: -v prefixes every entry with 'TIMESTAMP[ TYPE]: '."""
    stream, line = entry["stream"], entry["line"]
    if verbose:
        kind = "" if stream == "stdout" else f" {stream}"
        return f"{entry['ts']}{kind}: {line}"
    if stream == "stdout":
        return line
    if stream == "stderr":
        return f"ERROR: {line}"
    return None


class ShowLogs(Command):
    """Print a task's logs (-f to follow them while it runs)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("-v", "--verbose", action="store_true",
                            help="print every entry, system ones too, each with its timestamp and type")
        parser.add_argument("-f", "--follow", action="store_true",
                            help="keep printing new entries until the task terminates")
        parser.add_argument("task", metavar="ID", help="a task ID, or a unique prefix of one")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        task_id = self.client.get(task_path(parsed_args.task))["id"]
        out = self.app.stdout
        for page in pages(self.client, task_id, parsed_args.follow):
            lines = [text for text in (format_entry(e, parsed_args.verbose) for e in page) if text is not None]
            if lines:
                out.write("\n".join(lines) + "\n")
                out.flush()
        return 0
