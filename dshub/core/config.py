"""Hub settings: where its data lives and which database it uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8800


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "dshub"


def _env_seconds(name: str, default: float) -> float:
    """$NAME as a positive number, read when Settings are made (not at import)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"${name} must be a positive number, not {raw!r}")
    return value


@dataclass
class Settings:
    data_dir: Path
    database_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: a runner silent for this long is offline, and its running tasks are lost
    runner_timeout: float = field(default_factory=lambda: _env_seconds("DSHUB_RUNNER_TIMEOUT", 15))
    #: terminated tasks (and their logs) are removed after this many days
    task_retention_days: float = field(default_factory=lambda: _env_seconds("DSHUB_TASK_RETENTION_DAYS", 7))

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @classmethod
    def from_args(cls, data_dir: str | None = None, database_url: str | None = None,
                  host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Settings:
        """Flags win over $DSHUB_DATA_DIR / $DSHUB_DATABASE_URL, which win over defaults."""
        directory = Path(data_dir or os.environ.get("DSHUB_DATA_DIR") or default_data_dir()).expanduser()
        url = database_url or os.environ.get("DSHUB_DATABASE_URL") or f"sqlite:///{directory / 'hub.db'}"
        return cls(directory, url, host, port)
