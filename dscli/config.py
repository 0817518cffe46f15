"""Where ``ds`` keeps its settings, and which hub it talks to.

Settings live in ``$XDG_CONFIG_HOME/dscli/config.json`` (``~/.config`` by
default). The hub URL comes from, in order: ``--server-url``,
``$DOTSCIENCE_URL``, ``$DS_SERVER_URL``, ``ds set server-url``, and the default
``http://127.0.0.1:8800`` where ``ds-hub up`` listens.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from dscli.errors import DsError, UsageError
from dscli.globalopts import DEFAULT_SERVER_URL

URL_ENV_VARS = ("DOTSCIENCE_URL", "DS_SERVER_URL")


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "dscli"


def _config_file() -> Path:
    return config_dir() / "config.json"


def read_json(path: Path) -> dict:
    """A JSON object from a file of ours; {} when the file doesn't exist."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DsError(f"cannot read {path}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def load() -> dict:
    return read_json(_config_file())


def write_private_json(path: Path, data: dict) -> None:
    """Write JSON atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save(data: dict) -> None:
    try:
        write_private_json(_config_file(), data)
    except OSError as exc:
        raise DsError(f"cannot write {_config_file()}: {exc}") from exc


def validate_server_url(url: str) -> str:
    """The URL as scheme://host[:port], or a UsageError saying what is wrong."""
    example = "like http://hub.example.com:8800"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"the server URL must start with http:// or https:// and name a host, {example} (got '{url}')"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(
            f"the server URL must be only a scheme and a host, {example}, nothing after the host (got '{url}')"
        )
    if parts.username or parts.password:
        raise UsageError(f"the server URL must not hold credentials: use ds login (got '{url}')")
    try:
        _ = parts.port  # urllib checks the port only when asked
    except ValueError:
        raise UsageError(f"the server URL has an invalid port (got '{url}')") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def server_url(cli_value: str | None = None) -> str:
    if cli_value:
        return validate_server_url(cli_value)
    for name in URL_ENV_VARS:
        if os.environ.get(name):
            return validate_server_url(os.environ[name])
    stored = load().get("server_url")
    return validate_server_url(stored) if stored else DEFAULT_SERVER_URL
