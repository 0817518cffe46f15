"""Commands that are about ds itself: version, login, logout, set server-url."""

from __future__ import annotations

import argparse
import os
import sys

from dscli import config, credentials
from dscli.commands import Command
from dscli.errors import UsageError
from dscli.globalopts import version_line


class ShowVersion(Command):
    """Display the version of the Dotscience command-line tool"""

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        self.app.stdout.write(version_line(self.app.table["version"]) + "\n")
        return 0


class Login(Command):
    """Log in to the hub and keep an API key for it"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("username", nargs="?", metavar="USERNAME",
                            help="your user name (default: $DOTSCIENCE_USERNAME)")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of standard input")
        return parser

    def _password(self, parsed_args: argparse.Namespace) -> str:
        if parsed_args.password_stdin:
            password = self.app.stdin.readline().rstrip("\r\n")
        elif os.environ.get("DOTSCIENCE_PASSWORD"):
            password = os.environ["DOTSCIENCE_PASSWORD"]
        elif sys.stdin.isatty():
            import getpass

            password = getpass.getpass("Password: ")
        else:
            raise UsageError("no terminal to ask for the password on: use --password-stdin")
        if not password:
            raise UsageError("the password is empty")
        return password

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        username = parsed_args.username or os.environ.get("DOTSCIENCE_USERNAME")
        if not username:
            raise UsageError("which user? run ds login USERNAME")
        client = self.client
        answer = client.login(username, self._password(parsed_args))
        where = credentials.save(client.server_url, credentials.Credential(username, answer["api_key"]))
        if where != "keyring":
            self.app.stderr.write(
                f"ds: no usable OS keyring here: the API key is kept in {where} (readable only by you)\n"
            )
        self.app.stdout.write("Authenticated successfully.\n")
        return 0


class Logout(Command):
    """Forget the API key for the hub (and revoke it there)"""

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        client = self.client
        if client.credential is None:
            self.app.stdout.write(f"Not logged in to {client.server_url}.\n")
            return 0
        try:
            client.revoke()
        except Exception:  # an unreachable hub must not keep the key on disk
            pass
        credentials.delete(client.server_url)
        self.app.stdout.write(f"Logged out of {client.server_url}.\n")
        return 0


class SetServerUrl(Command):
    """Set the hub ds talks to (scheme and host only)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("url", metavar="URL", help="like http://hub.example.com:8800")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        url = config.validate_server_url(parsed_args.url)
        settings = config.load()
        settings["server_url"] = url
        config.save(settings)
        self.app.stdout.write(f"Server URL set to {url}\n")
        return 0
