"""The API key ``ds login`` obtained, kept per hub URL.

The key goes to the OS keyring (service ``dscli``, user = the hub URL). Where
no usable keyring exists (a headless Linux box), it goes to
``$XDG_CONFIG_HOME/dscli/credentials.json`` with mode 0600, and ``ds login``
says so. ``credentials.json`` always records which store holds each hub's key,
so reading a key never pays for keyring's backend discovery unless the key is
really in the keyring.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dscli import config
from dscli.errors import DsError

KEYRING_SERVICE = "dscli"


@dataclass(frozen=True)
class Credential:
    username: str
    api_key: str


def _file():
    return config.config_dir() / "credentials.json"


def _read_index() -> dict:
    return config.read_json(_file())


def _write_index(index: dict) -> None:
    try:
        config.write_private_json(_file(), index)
    except OSError as exc:
        raise DsError(f"cannot write {_file()}: {exc}") from exc


def _usable_keyring():
    """The keyring backend, or None when only a failing/null one exists."""
    if os.environ.get("DS_NO_KEYRING"):
        return None
    try:
        import keyring

        backend = keyring.get_keyring()
        if getattr(backend, "priority", 0) <= 0:
            return None
        return backend
    except Exception:
        return None


def load(server_url: str) -> Credential | None:
    entry = _read_index().get(server_url)
    if not isinstance(entry, dict) or not entry.get("username"):
        return None
    if entry.get("store") == "keyring":
        backend = _usable_keyring()
        api_key = None
        if backend is not None:
            try:
                api_key = backend.get_password(KEYRING_SERVICE, server_url)
            except Exception as exc:
                raise DsError(f"cannot read the API key for {server_url} from the keyring: {exc}") from exc
    else:
        api_key = entry.get("api_key")
    return Credential(entry["username"], api_key) if api_key else None


def save(server_url: str, credential: Credential) -> str:
    """Store the credential; returns where: 'keyring' or the file's path."""
    index = _read_index()
    backend = _usable_keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, server_url, credential.api_key)
            index[server_url] = {"username": credential.username, "store": "keyring"}
            _write_index(index)
            return "keyring"
        except Exception:
            pass  # a locked or broken keyring: fall back to the file
    index[server_url] = {"username": credential.username, "store": "file", "api_key": credential.api_key}
    _write_index(index)
    return str(_file())


def delete(server_url: str) -> Credential | None:
    """Forget the credential for this hub; returns what was forgotten."""
    credential = load(server_url)
    index = _read_index()
    entry = index.pop(server_url, None)
    if entry is None:
        return None
    if isinstance(entry, dict) and entry.get("store") == "keyring":
        backend = _usable_keyring()
        if backend is not None:
            try:
                backend.delete_password(KEYRING_SERVICE, server_url)
            except Exception:
                pass
    _write_index(index)
    return credential
