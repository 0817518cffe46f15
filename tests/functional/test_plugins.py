"""Third-party plugins: the example package, and a plugin that fails to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
                   check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def installed(request):
    """pip-install the given plugin packages into the test venv; uninstall after."""
    def install(path: Path, dist: str) -> None:
        pip("install", "--no-deps", "--no-build-isolation", str(path))
        request.addfinalizer(lambda: pip("uninstall", "-y", dist))

    return install


@pytest.fixture(scope="module")
def hello_plugin(installed):
    installed(ROOT / "examples" / "ds-hello-plugin", "ds-hello-plugin")


@pytest.fixture
def broken_plugin(installed):
    installed(DATA / "ds-broken-plugin", "ds-broken-plugin")


def test_hello_plugin_adds_a_group_and_a_project_command(hello_plugin, alice):
    help_text = alice.ok("--help").stdout
    assert "hello world" in help_text and "(ds-hello-plugin)" in help_text
    assert "project hello" in help_text
    assert alice.ok("hello", "world").stdout == "Hello, world!\n"
    assert alice.ok("hello", "world", "--name", "Ada").stdout == "Hello, Ada!\n"
    alice.ok("project", "create", "mnist")
    rows = alice.ok("project", "hello", "-f", "json").json
    assert rows[0]["project"] == "mnist" and rows[0]["greeting"] == "Hello, mnist!"
    table = alice.ok("project", "hello").stdout
    assert "GREETING" in table and "Hello, mnist!" in table
    assert alice.ok("help", "hello", "world").stdout == alice.ok("hello", "world", "--help").stdout
    completion = alice.ok("complete").stdout
    assert "cmds_hello_world=" in completion and "hello" in completion.split("cmds='")[1].split("'")[0]
    assert "hello" in completion.split("cmds_project='")[1].split("'")[0]


def test_a_plugin_that_fails_to_import_is_one_warning_and_nothing_else_breaks(broken_plugin, alice):
    result = alice.ok("--help")
    warnings = [line for line in result.stderr.splitlines() if line]
    assert len(warnings) == 1 and "broken boom" in warnings[0] and "RuntimeError" in warnings[0]
    assert "project ls" in result.stdout
    alice.ok("project", "create", "still-works")
    assert alice.ok("project", "ls", "-q").stdout == "still-works\n"
    failed = alice("broken", "boom")
    assert failed.returncode == 1 and len(failed.stderr.splitlines()) == 1
