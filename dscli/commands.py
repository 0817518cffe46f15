"""Base classes for ``ds`` commands: the public contract for plugins.

A plugin command subclasses one of these and declares an entry point in the
``dscli.commands.v1`` group (see docs/plugins.md):

- :class:`Command` -- does something, prints little; return an exit status.
- :class:`Lister` -- ``take_action`` returns a list of records (API objects as
  dicts); ``columns`` says how people see them; ``-f/-c/--sort-column`` and,
  with ``quiet_key``, ``-q`` come for free.
- :class:`Inspector` -- a Lister that prints a JSON array by default, for the
  ``inspect`` commands.
- :class:`ShowOne` -- one record, as fields and values.

``self.client`` is the logged-in :class:`dscli.client.HubClient`. Raise
:class:`dscli.errors.DsError` (or a subclass) for a failure the user can act on:
it becomes one line on stderr and its exit status.
"""

from __future__ import annotations

import argparse
import importlib
import traceback
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from cliff import _argparse, command, lister, show

from dscli.errors import DsError, UsageError
from dscli.globalopts import OneLineErrorParser
from dscli.output import LIST_FORMATTERS, MACHINE_FORMATS, Column, machine, normalize

__all__ = ["Column", "Command", "DsError", "Inspector", "Lister", "ShowOne", "UsageError"]


class CommandParser(OneLineErrorParser, _argparse.ArgumentParser):
    """cliff's parser with one-line usage errors."""


class QuietHooksMixin:
    """Skip cliff's per-command work that ds doesn't use.

    cliff scans every installed distribution's entry points for command hooks
    when a command is created, and again for the plugin name in the epilog:
    tens of milliseconds on every call, for features ds doesn't offer.
    """

    _epilog: str | None = None

    def _load_hooks(self) -> None:
        self._hooks = []

    def get_epilog(self) -> str:
        return self._epilog or ""


class _BaseParser(QuietHooksMixin, command.Command):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return CommandParser(
            description=self.get_description(),
            epilog=self.get_epilog() or None,
            prog=prog_name,
            formatter_class=_argparse.SmartHelpFormatter,
            conflict_handler=self.conflict_handler,
        )


class _ReportsErrors:
    """A DsError becomes one line on stderr and its exit status."""

    def run(self, parsed_args: argparse.Namespace) -> int:
        try:
            return super().run(parsed_args)
        except DsError as exc:
            if self.app.options.debug:
                traceback.print_exc(file=self.app.stderr)
            self.app.stderr.write(f"ds: {exc}\n")
            return int(exc.exit_status)

    @property
    def client(self):
        return self.app.client


class Command(_ReportsErrors, _BaseParser):
    """A command that does something; ``take_action`` returns an exit status or None."""


class _Formatters:
    """The shared formatters, by name, as cliff's display classes expect them."""

    def __init__(self, paths: dict[str, str]) -> None:
        self._paths = paths
        self._objs: dict[str, Any] = {}

    def names(self) -> list[str]:
        return list(self._paths)

    def __getitem__(self, name: str) -> _Formatters:
        if name not in self._objs:
            module, _, cls = self._paths[name].partition(":")
            self._objs[name] = getattr(importlib.import_module(module), cls)()
        holder = _Formatters({})
        holder.obj = self._objs[name]
        return holder

    def __iter__(self):
        return (self[name] for name in self._paths)


class _Display:
    columns: ClassVar[Sequence[Column]] = ()

    def _load_formatter_plugins(self) -> _Formatters:
        return _Formatters({name: LIST_FORMATTERS[name] for name in self.format_names})

    def _column(self, name: str) -> str:
        """The API field a -c/--sort-column name means (header or field)."""
        for column in self.columns:
            if column.matches(name):
                return column.key
        return normalize(name)

    def _selected(self, parsed_args: argparse.Namespace, records: list[dict]) -> list[str]:
        fmt = parsed_args.formatter
        if parsed_args.columns:
            keys = [self._column(name) for name in parsed_args.columns]
            known = {c.key for c in self.columns} | {k for r in records for k in r}
            unknown = [n for n, k in zip(parsed_args.columns, keys, strict=False) if k not in known and records]
            if unknown:
                choices = ", ".join(c.header for c in self.columns)
                raise UsageError(f"unknown column '{unknown[0]}'; columns are {choices}")
            return keys
        if fmt in MACHINE_FORMATS:
            keys: list[str] = []
            for record in records:
                keys.extend(k for k in record if k not in keys)
            return keys or [c.key for c in self.columns]
        return [c.key for c in self.columns]

    def _header_and_values(self, fmt: str, keys: list[str]):
        by_key = {c.key: c for c in self.columns}
        if fmt in MACHINE_FORMATS:
            return keys, lambda record: [machine(record.get(k), fmt) for k in keys]
        cols = [by_key.get(k) or Column(k.upper(), k) for k in keys]
        return [c.header for c in cols], lambda record: [c.human(record) for c in cols]


class _ListerBase(_Display, lister.Lister, _BaseParser):

    format_names: ClassVar[Sequence[str]] = ("table", "json", "value", "csv", "yaml")
    #: When set, ``-q`` prints this field of every record, one a line, no heading.
    quiet_key: ClassVar[str | None] = None
    #: Default order when no --sort-column is given (an API field), or None.
    default_sort: ClassVar[str | None] = None

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        if self.quiet_key:
            parser.add_argument(
                "-q", "--quiet", action="store_true",
                help=f"print only the {self.quiet_key}s, one a line, no heading",
            )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Iterable[dict]:
        raise NotImplementedError

    def run(self, parsed_args: argparse.Namespace) -> int:
        self.formatter = self._formatter_plugins[parsed_args.formatter].obj
        records = list(self.take_action(parsed_args))
        return self.produce_output(parsed_args, records)

    def produce_output(self, parsed_args: argparse.Namespace, records: list[dict]) -> int:
        records = self._sorted(parsed_args, records)
        if self.quiet_key and getattr(parsed_args, "quiet", False):
            for record in records:
                self.app.stdout.write(f"{record.get(self.quiet_key, '')}\n")
            return 0
        keys = self._selected(parsed_args, records)
        names, values = self._header_and_values(parsed_args.formatter, keys)
        self.formatter.emit_list(names, [values(r) for r in records], self.app.stdout, parsed_args)
        return 0

    def _sorted(self, parsed_args: argparse.Namespace, records: list[dict]) -> list[dict]:
        keys = [self._column(n) for n in parsed_args.sort_columns]
        if not keys and self.default_sort:
            keys = [self.default_sort]
        reverse = parsed_args.sort_direction == "desc"
        for key in reversed(keys):
            try:
                records = sorted(records, key=lambda r: (r.get(key) is None, r.get(key)), reverse=reverse)
            except TypeError:  # mixed types: compare as text
                records = sorted(records, key=lambda r: (r.get(key) is None, str(r.get(key))), reverse=reverse)
        return records


class Lister(_ReportsErrors, _ListerBase):
    """A listing. ``take_action`` returns records (dicts keyed by API field)."""


class Inspector(Lister):
    """An ``inspect`` command: a JSON array of full records by default."""

    @property
    def formatter_default(self) -> str:
        return "json"


class _ShowOneBase(_Display, show.ShowOne, _BaseParser):

    format_names: ClassVar[Sequence[str]] = ("table", "json", "value", "csv", "yaml")

    def take_action(self, parsed_args: argparse.Namespace) -> dict:
        raise NotImplementedError

    def run(self, parsed_args: argparse.Namespace) -> int:
        self.formatter = self._formatter_plugins[parsed_args.formatter].obj
        record = self.take_action(parsed_args)
        keys = self._selected(parsed_args, [record])
        names, values = self._header_and_values(parsed_args.formatter, keys)
        if parsed_args.formatter == "csv":  # a header row and one data row
            self.formatter.emit_list(names, [values(record)], self.app.stdout, parsed_args)
        else:
            self.formatter.emit_one(names, values(record), self.app.stdout, parsed_args)
        return 0


class ShowOne(_ReportsErrors, _ShowOneBase):
    """One record. ``take_action`` returns a dict keyed by API field."""
