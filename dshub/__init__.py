"""dshub: the hub ``ds`` talks to (REST API, database, users, projects)."""

from __future__ import annotations

# The fallback when dscli is not installed (running from a bare checkout).
_UNKNOWN_VERSION = "0.0.0"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("dscli")
    except PackageNotFoundError:
        return _UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    # Lazy, so importing dshub (or a submodule) never reads package metadata.
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
