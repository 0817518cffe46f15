"""Where the hub keeps its data, and which database it uses."""

from __future__ import annotations

from pathlib import Path

import pytest

import dshub
from dshub.core.config import Settings

ENV = ("DSHUB_DATA_DIR", "DSHUB_DATABASE_URL", "DSHUB_RUNNER_TIMEOUT", "DSHUB_TASK_RETENTION_DAYS")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def test_settings_default_to_sqlite_in_the_xdg_data_dir(tmp_path):
    settings = Settings.from_args()
    assert settings.data_dir == tmp_path / "xdg" / "dshub"
    assert settings.database_url == f"sqlite:///{tmp_path / 'xdg' / 'dshub' / 'hub.db'}"
    assert (settings.host, settings.port) == ("127.0.0.1", 8800)


def test_settings_without_xdg_data_home_use_local_share(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings.from_args().data_dir == tmp_path / ".local" / "share" / "dshub"


def test_settings_environment_is_overridden_by_flags(monkeypatch, tmp_path):
    monkeypatch.setenv("DSHUB_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("DSHUB_DATABASE_URL", "postgresql+psycopg://u@h/env")
    from_env = Settings.from_args()
    assert from_env.data_dir == tmp_path / "env" and from_env.database_url.endswith("/env")
    flags = Settings.from_args(str(tmp_path / "flag"), "sqlite:///flag.db", "0.0.0.0", 9000)
    assert (flags.data_dir, flags.database_url, flags.host, flags.port) == (
        Path(tmp_path / "flag"), "sqlite:///flag.db", "0.0.0.0", 9000)


def test_settings_reject_a_runner_timeout_that_is_no_positive_number(monkeypatch):
    monkeypatch.setenv("DSHUB_RUNNER_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="DSHUB_RUNNER_TIMEOUT must be a positive number"):
        Settings.from_args()
    monkeypatch.setenv("DSHUB_RUNNER_TIMEOUT", "2.5")
    assert Settings.from_args().runner_timeout == 2.5


def test_version_is_read_from_the_installed_distribution():
    from importlib.metadata import version

    assert dshub.__version__ == version("dscli")
