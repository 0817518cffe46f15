"""ds secret: SSH keys of projects (for git checkouts over SSH)."""

from __future__ import annotations

import argparse
from urllib.parse import quote

from dscli.commands import Column, Command, Inspector, Lister
from dscli.output import age

COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("TYPE", "type"),
    Column("PROJECT", "project"),
    Column("AGE", "created_at", age),
)


def secret_path(ref: str) -> str:
    return "/v2/secrets/" + quote(ref, safe="")


class GenerateSecret(Command):
    """Generate an SSH keypair for a project and print its public key"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--project", required=True, metavar="PROJECT", help="a project name or ID")
        parser.add_argument("--name", required=True, metavar="NAME", help="the secret's name")
        parser.add_argument("--type", default="ed25519", choices=("ed25519", "rsa"),
                            help="the key type (default ed25519; rsa is 3072 bits)")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        secret = self.client.post("/v2/secrets", json={"project": parsed_args.project, "name": parsed_args.name,
                                                       "type": parsed_args.type})
        self.app.stdout.write(secret["public_key"] + "\n")
        return 0


class ListSecrets(Lister):
    """List your secrets"""

    columns = COLUMNS
    quiet_key = "name"

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return self.client.get("/v2/secrets")


class InspectSecret(Inspector):
    """Print secrets as JSON; `data` is base64 JSON of base64 public_key and private_key"""

    columns = COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("secrets", nargs="+", metavar="SECRET", help="a secret name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        return [self.client.get(secret_path(ref)) for ref in parsed_args.secrets]


class RemoveSecret(Command):
    """Delete secrets"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("secrets", nargs="+", metavar="SECRET", help="a secret name, ID or unique ID prefix")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for ref in parsed_args.secrets:
            secret = self.client.get(secret_path(ref))
            self.client.delete(secret_path(secret["id"]))
            self.app.stdout.write(f"Deleted secret {secret['name']} ({secret['id']})\n")
        return 0
