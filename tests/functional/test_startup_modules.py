"""What a real ds process imports: only what the command needs.

The installed `ds` script runs in a fresh interpreter exactly as the console
script would (same sys.path), and the set of modules is written out at exit.
"""

from __future__ import annotations

import subprocess
import sys

from tests.lib.processes import BIN, executable

HEAVY = ("fastapi", "sqlalchemy", "uvicorn", "boto3", "cryptography", "dshub", "dsrunner")

_PROBE = """
import atexit, runpy, sys
script, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.argv = [script, *args]
sys.path[0] = {bindir!r}
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
runpy.run_path(script, run_name="__main__")
"""


def imported_modules(ds, tmp_path, *args: str) -> set[str]:
    out = tmp_path / "modules.txt"
    code = _PROBE.format(bindir=str(BIN))
    proc = subprocess.run([sys.executable, "-c", code, executable("ds"), str(out), *args],
                          env=ds.env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return set(out.read_text().split())


def top_level(modules: set[str]) -> set[str]:
    return {m.partition(".")[0] for m in modules}


def test_help_and_version_import_no_cliff_requests_keyring_or_plugin(ds, tmp_path):
    ds.ok("--help")  # let the command table be built and cached first
    for args in (("--help",), ("--version",), ("version",), ()):
        tops = top_level(imported_modules(ds, tmp_path, *args))
        assert "dscli" in tops
        for forbidden in ("cliff", "requests", "keyring", "stevedore", "dscli_plugins", "prettytable", *HEAVY):
            assert forbidden not in tops, (args, forbidden)


def test_project_ls_imports_only_the_project_plugin(alice, tmp_path):
    alice.ok("project", "ls")
    modules = imported_modules(alice, tmp_path, "project", "ls", "-f", "json")
    assert "dscli_plugins.project" in modules
    assert not [m for m in modules if m.startswith("dscli_plugins.") and m != "dscli_plugins.project"]
    tops = top_level(modules)
    for forbidden in ("keyring", *HEAVY):
        assert forbidden not in tops, forbidden
