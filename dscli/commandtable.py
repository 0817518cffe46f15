"""The table of ``ds`` commands, built from entry points and cached on disk.

Every command is a plugin: an entry point in the :data:`NAMESPACE` group whose
name is the command with ``_`` for spaces (``project_ls`` is ``ds project ls``)
and whose value is a cliff command class. Building the table means importing
every plugin (through stevedore) to read each class's one-line summary, so the
table is cached in ``$XDG_CACHE_HOME/dscli/`` and rebuilt only when something
installed changed: the cache records the modification time of every
``sys.path`` directory (installing or removing a distribution changes its
site-packages directory) and of every plugin's module file (edits in an
editable install). ``ds --help`` then imports no plugin at all, and
``ds project ls`` imports only the project plugin.

This module is on the start-up path: stdlib only at import time.
"""

from __future__ import annotations

import json
import os
import sys
import zlib

NAMESPACE = "dscli.commands.v1"
_FORMAT = 1
_warned = False

Table = dict


def cache_path() -> str | None:
    if os.environ.get("DSCLI_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = "{:08x}".format(zlib.crc32(f"{sys.prefix}|{sys.version}".encode()))
    return os.path.join(base, "dscli", f"commands-{key}.json")


def _mtimes(paths: list[str]) -> list[list]:
    stamps = []
    for path in paths:
        try:
            stamps.append([path, os.stat(path).st_mtime_ns])
        except OSError:
            stamps.append([path, None])
    return stamps


def _is_fresh(table: Table) -> bool:
    return (
        table.get("format") == _FORMAT
        and table.get("paths") == _mtimes(sys.path)
        and table.get("files") == _mtimes([f for f, _ in table.get("files", [])])
    )


def load() -> Table:
    """The command table: from the cache when fresh, else built and cached."""
    path = cache_path()
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                table = json.load(f)
            if _is_fresh(table):
                return table
        except (OSError, ValueError, TypeError, AttributeError):
            pass
    table = build()
    warn_broken(table)
    if path:
        _save(path, table)
    return table


def _save(path: str, table: Table) -> None:
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".commands-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(table, f)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs speed


def warn_broken(table: Table) -> None:
    """One warning line on stderr per plugin that failed to load, once a run."""
    global _warned
    if _warned:
        return
    _warned = True
    for name, info in sorted(table.get("broken", {}).items()):
        sys.stderr.write(
            f"ds: warning: skipped the plugin command '{name}' ({info['entry_point']}): {info['error']}\n"
        )


def _summary(cls: type) -> str:
    import inspect

    doc = getattr(cls, "_description", "") or inspect.getdoc(cls) or ""
    return doc.strip().split("\n")[0].rstrip(".")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def build() -> Table:
    """Import every command plugin and describe it."""
    import importlib.metadata

    from stevedore import ExtensionManager

    from dscli.app import BUILTIN_COMMANDS

    broken: dict[str, dict] = {}

    def on_load_failure(_manager, entry_point, exc) -> None:
        broken[entry_point.name.replace("_", " ")] = {
            "entry_point": entry_point.value,
            "error": _one_line(exc),
        }

    manager = ExtensionManager(NAMESPACE, on_load_failure_callback=on_load_failure)
    try:
        dists = importlib.metadata.packages_distributions()
    except Exception:  # metadata of some unrelated distribution is broken
        dists = {}
    commands: dict[str, dict] = {}
    files: set[str] = set()
    for name, cls in list(BUILTIN_COMMANDS.items()) + [
        (ext.name.replace("_", " "), ext.plugin) for ext in manager
    ]:
        module = sys.modules.get(cls.__module__)
        if getattr(module, "__file__", None):
            files.add(module.__file__)
        top = cls.__module__.partition(".")[0]
        commands[name] = {
            "entry_point": f"{cls.__module__}:{cls.__qualname__}",
            "summary": _summary(cls),
            "dist": (dists.get(top) or [None])[0],
        }
    try:
        version = importlib.metadata.version("dscli")
    except importlib.metadata.PackageNotFoundError:
        version = "0+unknown"
    return {
        "format": _FORMAT,
        "version": version,
        "paths": _mtimes(sys.path),
        "files": _mtimes(sorted(files)),
        "commands": commands,
        "broken": broken,
    }
