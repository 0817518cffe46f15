"""The cliff application behind ``ds``: global options, lazy plugins, errors."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

from cliff import app as cliff_app
from cliff import commandmanager, complete, help

from dscli import commandtable, globalopts
from dscli.commands import QuietHooksMixin
from dscli.exitcodes import ExitStatus


class HelpCommand(QuietHooksMixin, help.HelpCommand):
    """Print detailed help for another command"""


class CompleteCommand(QuietHooksMixin, complete.CompleteCommand):
    """Print a bash completion script for every ds command"""


# Commands the application itself provides, next to the plugins'.
BUILTIN_COMMANDS: dict[str, type] = {"help": HelpCommand, "complete": CompleteCommand}


class LazyEntryPoint:
    """Stands for a command's entry point; imports its module only on load()."""

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self.value = value

    def load(self) -> type:
        module, _, attr = self.value.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj


class LazyCommandManager(commandmanager.CommandManager):
    """cliff's CommandManager, fed from the command table instead of stevedore.

    cliff's own manager imports every command module on start-up; this one
    imports the one command that runs.
    """

    def __init__(self, table: commandtable.Table) -> None:
        super().__init__(namespace=None)
        self.namespace = commandtable.NAMESPACE
        self.broken = table.get("broken", {})
        for name, info in table["commands"].items():
            self.commands[name] = LazyEntryPoint(name, info["entry_point"])

    def add_command(self, name: str, command_class: type) -> None:
        # cliff's App registers its stock help/complete; ours are in the table.
        if name not in BUILTIN_COMMANDS:
            super().add_command(name, command_class)


class DsApp(cliff_app.App):
    NAME = globalopts.PROG
    CONSOLE_MESSAGE_FORMAT = "ds: %(message)s"

    def __init__(self, table: commandtable.Table, **streams: Any) -> None:
        self.table = table
        self._client = None
        super().__init__(
            description=globalopts.DESCRIPTION,
            version=table["version"],
            command_manager=LazyCommandManager(table),
            deferred_help=True,
            **streams,
        )

    def build_option_parser(self, description, version, argparse_kwargs=None):
        return globalopts.build_parser(version)

    def configure_logging(self) -> None:
        # Library chatter stays quiet; our own errors are written by the commands.
        logging.basicConfig(
            level=logging.DEBUG if self.options.debug else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s" if self.options.debug else "ds: %(message)s",
            stream=self.stderr,
        )

    def print_help_if_requested(self) -> None:
        if self.options.deferred_help:
            self.print_main_help()
            raise help.HelpExit(0)

    def print_main_help(self) -> None:
        commandtable.warn_broken(self.table)
        self.stdout.write(globalopts.main_help(self.table["version"], self.table["commands"]))

    def interact(self) -> None:
        # `ds` with only global options: there is no interactive shell.
        self.print_main_help()

    def run(self, argv: list[str]) -> int:
        try:
            return super().run(argv)
        except help.HelpExit:
            return ExitStatus.SUCCESS

    def run_subcommand(self, argv: list[str]) -> int:
        try:
            self.command_manager.find_command(argv)
        except ValueError:
            return self._unknown_command(argv)
        return super().run_subcommand(argv)

    def _unknown_command(self, argv: list[str]) -> int:
        import difflib  # only a mistyped command needs it

        words = [a for a in argv if not a.startswith("-")]
        names = sorted(self.command_manager.commands)
        typed = " ".join(words)
        for n in range(len(words), 0, -1):
            prefix = " ".join(words[:n])
            if prefix in self.command_manager.broken:
                info = self.command_manager.broken[prefix]
                self.stderr.write(f"ds: the command '{prefix}' could not be loaded: {info['error']}\n")
                return ExitStatus.ERROR
        group = [n for n in names if n.startswith(typed + " ")]
        if group:
            self.stderr.write(f"ds: '{typed}' needs a subcommand: {', '.join(group)}\n")
            return ExitStatus.USAGE
        close = difflib.get_close_matches(typed, names, n=1) or difflib.get_close_matches(
            " ".join(words[:2]), names, n=1
        )
        hint = f"; did you mean '{close[0]}'?" if close else ""
        self.stderr.write(f"ds: '{typed}' is not a ds command{hint} See 'ds --help'.\n")
        return ExitStatus.USAGE

    @property
    def client(self):
        """The HubClient, created on first use (so offline commands never import requests)."""
        if self._client is None:
            from dscli.client import HubClient

            self._client = HubClient.from_options(self.options)
        return self._client

    def clean_up(self, cmd, result, err) -> None:
        if self._client is not None:
            self._client.close()


def main(argv: list[str] | None = None) -> int:
    return DsApp(commandtable.load()).run(sys.argv[1:] if argv is None else argv)
