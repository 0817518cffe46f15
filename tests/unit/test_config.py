import pytest

from dscli import config
from dscli.errors import UsageError
from dscli.globalopts import DEFAULT_SERVER_URL


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:8800", "http://127.0.0.1:8800"),
    ("https://Hub.Example.com/", "https://hub.example.com"),
    ("http://[::1]:8800", "http://[::1]:8800"),
])
def test_server_url_keeps_scheme_and_host(url, expected):
    assert config.validate_server_url(url) == expected


@pytest.mark.parametrize("url", [
    "hub.example.com", "127.0.0.1:8800", "http://", "http://h/x", "http://h?q", "http://h#f", "ftp://h",
    "http://u:p@h", "http://h:notaport", "",
])
def test_server_url_refuses_anything_else(url):
    with pytest.raises(UsageError):
        config.validate_server_url(url)


def test_server_url_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for name in config.URL_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    assert config.server_url() == DEFAULT_SERVER_URL
    config.save({"server_url": "http://saved:1"})
    assert config.server_url() == "http://saved:1"
    monkeypatch.setenv("DS_SERVER_URL", "http://ds-env:2")
    assert config.server_url() == "http://ds-env:2"
    monkeypatch.setenv("DOTSCIENCE_URL", "http://dotscience-env:3")
    assert config.server_url() == "http://dotscience-env:3"
    assert config.server_url("http://flag:4") == "http://flag:4"


def test_saved_config_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config.save({"server_url": "http://h"})
    assert (tmp_path / "dscli" / "config.json").stat().st_mode & 0o077 == 0
