"""Executors run a task's command: the process executor here; others are plugins.

Plugins register under the entry point group ``dsrunner.executors.v1``
(see ``base.Executor`` for the contract and docs/runner.md).
"""

from __future__ import annotations

import importlib.metadata

from dsrunner.executors.base import Executor, Job, JobSpec, JobStartError

ENTRY_POINT_GROUP = "dsrunner.executors.v1"

__all__ = ["ENTRY_POINT_GROUP", "Executor", "Job", "JobSpec", "JobStartError", "available", "load"]


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def available() -> list[str]:
    """Names of the executors this installation offers (the built-in ``process`` always)."""
    return sorted(set(_entry_points()) | {"process"})


def load(name: str) -> Executor:
    """Instantiate the executor registered as ``name``.

    Raises LookupError (unknown name) or whatever the plugin raises while
    loading; the caller turns it into one line on stderr.
    """
    eps = _entry_points()
    if name in eps:
        cls = eps[name].load()
    elif name == "process":
        # Running from a checkout that was never pip-installed: no entry points.
        from dsrunner.executors.process import ProcessExecutor
        cls = ProcessExecutor
    else:
        raise LookupError(f"no executor named {name!r} (available: {', '.join(available())})")
    executor = cls()
    if not isinstance(executor, Executor):
        raise LookupError(f"executor {name!r} ({cls!r}) does not implement dsrunner.executors.base.Executor")
    return executor
