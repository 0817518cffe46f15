import json

import keyring
import pytest
from keyring.backend import KeyringBackend

from dscli import credentials
from dscli.credentials import Credential


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring (a unit-test stand-in for the OS one)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("DS_NO_KEYRING", raising=False)
    return tmp_path / "dscli"


def test_key_goes_to_the_keyring_when_one_works(config_home):
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        assert credentials.save("http://h:1", Credential("alice", "KEY")) == "keyring"
        index = json.loads((config_home / "credentials.json").read_text())
        assert index == {"http://h:1": {"store": "keyring", "username": "alice"}}
        assert backend.store == {("dscli", "http://h:1"): "KEY"}
        assert credentials.load("http://h:1") == Credential("alice", "KEY")
        assert credentials.delete("http://h:1") == Credential("alice", "KEY")
        assert backend.store == {} and credentials.load("http://h:1") is None
    finally:
        keyring.set_keyring(previous)


def test_key_goes_to_a_private_file_without_a_keyring(config_home, monkeypatch):
    monkeypatch.setenv("DS_NO_KEYRING", "1")
    where = credentials.save("http://h:1", Credential("alice", "KEY"))
    assert where == str(config_home / "credentials.json")
    assert (config_home / "credentials.json").stat().st_mode & 0o077 == 0
    assert credentials.load("http://h:1") == Credential("alice", "KEY")
    assert credentials.load("http://other:2") is None


def test_reading_a_file_key_does_not_touch_the_keyring(config_home, monkeypatch):
    monkeypatch.setenv("DS_NO_KEYRING", "1")
    credentials.save("http://h:1", Credential("alice", "KEY"))
    monkeypatch.delenv("DS_NO_KEYRING")
    monkeypatch.setattr(credentials, "_usable_keyring", lambda: pytest.fail("keyring consulted"))
    assert credentials.load("http://h:1") == Credential("alice", "KEY")
