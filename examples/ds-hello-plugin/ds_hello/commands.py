"""Commands of the example plugin, built only on ds's public base classes."""

from __future__ import annotations

import argparse

from dscli.commands import Column, Command, Lister


class HelloWorld(Command):
    """Say hello (an example plugin command)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--name", default="world", help="whom to greet")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        self.app.stdout.write(f"Hello, {parsed_args.name}!\n")
        return 0


class ProjectHello(Lister):
    """Greet each of your projects (an example plugin command)"""

    columns = (Column("PROJECT", "project"), Column("GREETING", "greeting"))

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [{"project": p["name"], "greeting": f"Hello, {p['name']}!"} for p in self.client.get("/v2/projects")]
