import json
import os

from dscli import commandtable


def test_table_is_cached_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("DSCLI_NO_CACHE", raising=False)
    table = commandtable.load()
    assert table["commands"]["project ls"]["entry_point"] == "dscli_plugins.project:ListProjects"
    assert table["commands"]["project ls"]["summary"] == "List your projects"
    assert table["commands"]["project ls"]["dist"] == "dscli"
    path = commandtable.cache_path()
    assert json.loads(open(path).read()) == table
    calls = []
    monkeypatch.setattr(commandtable, "build", lambda: calls.append(1) or table)
    commandtable.load()
    assert calls == []


def test_table_is_rebuilt_when_a_plugin_module_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    table = commandtable.load()
    module_file = next(f for f, _ in table["files"] if f.endswith("project.py"))
    stamp = os.stat(module_file)
    try:
        os.utime(module_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
        calls = []
        real_build = commandtable.build
        monkeypatch.setattr(commandtable, "build", lambda: calls.append(1) or real_build())
        commandtable.load()
        assert calls == [1]
    finally:
        os.utime(module_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_unwritable_cache_still_works(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert "version" in commandtable.load()["commands"]
