"""What a real ds process imports: only what the command needs."""

from __future__ import annotations

import re

HEAVY = ("fastapi", "sqlalchemy", "uvicorn", "boto3", "cryptography", "dshub", "dsrunner")


def imported_modules(ds, *args: str) -> set[str]:
    result = ds(*args, python_flags=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    return {m.group(1) for m in re.finditer(r"^import time:.*\|\s*([\w.]+)\s*$", result.stderr, re.M)}


def top_level(modules: set[str]) -> set[str]:
    return {m.partition(".")[0] for m in modules}


def test_help_and_version_import_no_cliff_requests_keyring_or_plugin(ds):
    ds.ok("--help")  # let the command table be built and cached first
    for args in (("--help",), ("--version",), ("version",), ()):
        modules = imported_modules(ds, *args)
        tops = top_level(modules)
        for forbidden in ("cliff", "requests", "keyring", "stevedore", "dscli_plugins", "prettytable", *HEAVY):
            assert forbidden not in tops, (args, forbidden)


def test_project_ls_imports_only_the_project_plugin(alice):
    alice.ok("project", "ls")
    modules = imported_modules(alice, "project", "ls", "-f", "json")
    assert "dscli_plugins.project" in modules
    assert not [m for m in modules if m.startswith("dscli_plugins.") and m != "dscli_plugins.project"]
    tops = top_level(modules)
    for forbidden in ("keyring", *HEAVY):
        assert forbidden not in tops, forbidden
