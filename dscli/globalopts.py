"""The global options of ``ds`` and the top-level help, from stdlib only.

Shared by the fast path in :mod:`dscli.main` and by :class:`dscli.app.DsApp`,
so ``ds --help`` reads the same whichever path printed it.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PROG = "ds"
DESCRIPTION = "Drive a Dotscience hub from your shell or your scripts."
DEFAULT_SERVER_URL = "http://127.0.0.1:8800"
# Global options that take a value: needed to find where the command starts.
_TAKES_VALUE = frozenset({"--server-url"})


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


class GlobalParser(OneLineErrorParser):
    """Parses only the options before the command, never the command's own.

    argparse would otherwise take ``--debug`` out of
    ``ds run -p P python train.py --debug``.
    """

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        head, rest = split_global_args(args)
        options, unknown = super().parse_known_args(head, namespace)
        if unknown:
            self.error(f"unknown option {unknown[0]}")
        return options, rest


def split_global_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split argv into the global options and the command with its arguments."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg == "-":
            break
        i += 2 if arg in _TAKES_VALUE else 1
    return argv[:i], argv[i:]


def version_line(version: str) -> str:
    return f"Dotscience command-line tool version: {version}"


def build_parser(version: str) -> GlobalParser:
    parser = GlobalParser(
        prog=PROG,
        usage=f"{PROG} [--version] [-h] [--debug] [--server-url URL] COMMAND [ARGS...]",
        description=DESCRIPTION,
        add_help=False,
    )
    parser.add_argument(
        "--version", action="version", version=version_line(version),
        help="print the version of ds and exit",
    )
    parser.add_argument(
        "-h", "--help", dest="deferred_help", action="store_true",
        help="print this help, or a command's help with 'ds help COMMAND'",
    )
    parser.add_argument(
        "--debug", action="store_true", default=False,
        help="show tracebacks on errors",
    )
    parser.add_argument(
        "--server-url", metavar="URL", default=None,
        help="the hub to talk to (overrides $DOTSCIENCE_URL and 'ds set server-url')",
    )
    return parser


def main_help(version: str, commands: dict[str, dict]) -> str:
    """The text of ``ds --help``: global options, then every command."""
    lines = [build_parser(version).format_help().rstrip("\n"), "", "Commands:"]
    width = max([len(name) for name in commands] + [13])
    for name in sorted(commands):
        info = commands[name]
        dist = info.get("dist")
        origin = f" ({dist})" if dist and dist != "dscli" else ""
        lines.append(f"  {name:<{width}}  {info.get('summary', '')}{origin}")
    lines.append("")
    lines.append(f"Run '{PROG} help COMMAND' or '{PROG} COMMAND --help' for a command's options.")
    return "\n".join(lines) + "\n"
