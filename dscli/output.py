"""Shared output: column definitions and how values read for people.

A resource declares its columns once (header for people, API field for
scripts, how to render); ``ls``, ``inspect`` and every ``-f`` format use them.
People's formats (``table``, ``value``) get headers and rendered values (AGE
"3 minutes ago", SIZE "1.2 MB"); scripts' formats (``json``, ``yaml``,
``csv``) get the API's own snake_case fields and raw values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

#: -f choices, and the cliff formatter class behind each.
LIST_FORMATTERS = {
    "table": "cliff.formatters.table:TableFormatter",
    "json": "cliff.formatters.json_format:JSONFormatter",
    "value": "cliff.formatters.value:ValueFormatter",
    "csv": "cliff.formatters.commaseparated:CSVLister",
    "yaml": "cliff.formatters.yaml_format:YAMLFormatter",
}
#: Formats for scripts: API field names and raw values.
MACHINE_FORMATS = frozenset({"json", "yaml", "csv"})


@dataclass(frozen=True)
class Column:
    """One column: ``header`` for people, ``key`` (the API field) for scripts."""

    header: str
    key: str
    render: Callable[[Any], str] | None = None

    def human(self, record: dict) -> str:
        value = record.get(self.key)
        return self.render(value) if self.render else plain(value)

    def matches(self, name: str) -> bool:
        wanted = normalize(name)
        return wanted in (normalize(self.header), normalize(self.key))


def normalize(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={plain(v)}" for k, v in value.items())
    return str(value)


def machine(value: Any, fmt: str) -> Any:
    """A raw value as a format for scripts takes it (CSV cells are flat)."""
    if fmt == "csv" and isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return value


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def age(value: str | None, now: datetime | None = None) -> str:
    """'3 minutes ago' for an ISO-8601 timestamp."""
    if not value:
        return ""
    try:
        then = parse_timestamp(value)
    except ValueError:
        return value
    now = now or datetime.now(timezone.utc)
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400),
                       ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def size(value: int | None) -> str:
    """'1.2 MB' for a byte count (SI units, like the manual's '1.2 GB / 4.0 GB')."""
    if value is None:
        return ""
    amount = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if amount < 1000 or unit == "TB":
            return f"{int(amount)} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1000
    raise AssertionError("unreachable")
