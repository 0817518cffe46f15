"""The runner's workspace: materialising a manifest safely, and finding what a job changed."""

from __future__ import annotations

import hashlib
import os

import pytest

from dsrunner import workspace as ws
from dsrunner.workspace import BlobCache, UnsafePath, Workspace, WorkspaceError, check_path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def cache(tmp_path):
    return BlobCache(str(tmp_path / "work"))


def put_blob(cache: BlobCache, data: bytes) -> str:
    digest = sha(data)
    path = cache.path(digest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return digest


def entry(cache, data: bytes, mode=0o644, mtime=1_700_000_000.5):
    return {"sha256": put_blob(cache, data), "size": len(data), "mode": mode, "mtime": mtime}


def files_under(root) -> set[str]:
    found = set()
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            found.add(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def test_materialise_writes_files_with_mode_and_mtime(tmp_path, cache):
    manifest = {"train.py": entry(cache, b"print(1)\n", 0o755, 1_600_000_000.25),
                "data/a/b.csv": entry(cache, b"x,y\n", 0o640)}
    space = Workspace(str(tmp_path / "task"), manifest)
    space.materialise(cache)
    train = os.path.join(space.root, "train.py")
    assert open(train, "rb").read() == b"print(1)\n"
    assert os.stat(train).st_mode & 0o777 == 0o755
    assert os.stat(train).st_mtime == pytest.approx(1_600_000_000.25, abs=1e-3)
    assert open(os.path.join(space.root, "data/a/b.csv"), "rb").read() == b"x,y\n"
    assert os.stat(os.path.join(space.root, "data/a/b.csv")).st_mode & 0o777 == 0o640


def test_materialise_copies_so_a_job_cannot_corrupt_the_cache(tmp_path, cache):
    manifest = {"f": entry(cache, b"original")}
    space = Workspace(str(tmp_path / "task"), manifest)
    space.materialise(cache)
    target = os.path.join(space.root, "f")
    assert os.stat(target).st_ino != os.stat(cache.path(manifest["f"]["sha256"])).st_ino
    os.chmod(target, 0o644)
    with open(target, "wb") as f:
        f.write(b"tampered")
    assert open(cache.path(manifest["f"]["sha256"]), "rb").read() == b"original"


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "", "a//b", "./a", "a/.", "a\x00b", "..",
                                 "a\\..\\b"])
def test_check_path_refuses_unsafe_paths(bad):
    with pytest.raises(UnsafePath):
        check_path(bad)


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b"])
def test_materialise_refuses_unsafe_paths_and_writes_nothing(tmp_path, cache, bad):
    manifest = {"ok.txt": entry(cache, b"fine"), bad: entry(cache, b"evil")}
    task_dir = tmp_path / "work" / "tasks" / "t1"
    before = files_under(tmp_path)
    with pytest.raises(UnsafePath):
        Workspace(str(task_dir), manifest).materialise(cache)
    assert files_under(tmp_path) == before  # not even ok.txt: the manifest is checked first
    assert not os.path.exists("/etc/passwd") or open("/etc/passwd", "rb").read() != b"evil"


def test_materialise_refuses_a_path_through_a_symlink(tmp_path, cache):
    outside = tmp_path / "outside"
    outside.mkdir()
    space = Workspace(str(tmp_path / "task"), {"link/pwned": entry(cache, b"evil")})
    os.makedirs(space.root)
    os.symlink(outside, os.path.join(space.root, "link"))
    with pytest.raises(UnsafePath, match="symlink"):
        space.materialise(cache)
    assert list(outside.iterdir()) == []


def test_materialise_refuses_to_write_onto_a_symlink(tmp_path, cache):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    space = Workspace(str(tmp_path / "task"), {"f": entry(cache, b"evil")})
    os.makedirs(space.root)
    os.symlink(victim, os.path.join(space.root, "f"))
    with pytest.raises(UnsafePath):
        space.materialise(cache)
    assert victim.read_bytes() == b"keep"


def test_materialise_reports_a_file_folder_conflict(tmp_path, cache):
    manifest = {"a": entry(cache, b"1"), "a/b": entry(cache, b"2")}
    with pytest.raises(WorkspaceError, match="conflicts"):
        Workspace(str(tmp_path / "task"), manifest).materialise(cache)


def test_blob_cache_fetches_only_missing_blobs(tmp_path, cache):
    have = put_blob(cache, b"cached")
    wanted = sha(b"new")
    calls = []

    def download(digest, dest):
        calls.append(digest)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(b"new")

    assert cache.fetch([have, wanted, wanted], download) == 1
    assert calls == [wanted]
    assert cache.path(wanted).endswith(os.path.join("blobs", wanted[:2], wanted))


def materialised(tmp_path, cache, files: dict[str, bytes]) -> Workspace:
    space = Workspace(str(tmp_path / "task"), {p: entry(cache, d) for p, d in files.items()})
    space.materialise(cache)
    return space


def test_changes_of_an_untouched_workspace_are_empty(tmp_path, cache):
    space = materialised(tmp_path, cache, {"a": b"1", "d/b": b"2"})
    changes = space.changes()
    assert changes.put == {} and changes.delete == []


def test_changes_reports_new_changed_and_deleted_files(tmp_path, cache):
    space = materialised(tmp_path, cache, {"keep": b"k", "edit": b"old", "gone": b"x", "sub/gone2": b"y"})
    root = space.root
    with open(os.path.join(root, "edit"), "wb") as f:
        f.write(b"new contents")
    os.remove(os.path.join(root, "gone"))
    os.remove(os.path.join(root, "sub/gone2"))
    os.makedirs(os.path.join(root, "out/model"))
    with open(os.path.join(root, "out/model/w.bin"), "wb") as f:
        f.write(b"\x00" * 10)
    changes = space.changes()
    assert set(changes.put) == {"edit", "out/model/w.bin"}
    assert changes.put["edit"]["sha256"] == sha(b"new contents")
    assert changes.put["edit"]["size"] == len(b"new contents")
    assert changes.put["out/model/w.bin"]["mode"] == os.stat(os.path.join(root, "out/model/w.bin")).st_mode & 0o777
    assert isinstance(changes.put["edit"]["mtime"], float)
    assert changes.delete == ["gone", "sub/gone2"]
    assert changes.sources[sha(b"new contents")] == os.path.join(root, "edit")
    assert changes.as_json() == {"put": changes.put, "delete": changes.delete}


def test_changes_does_not_hash_files_whose_size_and_mtime_are_unchanged(tmp_path, cache, monkeypatch):
    space = materialised(tmp_path, cache, {"big": b"a" * 1000, "other": b"b"})
    hashed = []
    real = ws.sha256_file
    monkeypatch.setattr(ws, "sha256_file", lambda p: hashed.append(p) or real(p))
    with open(os.path.join(space.root, "new"), "wb") as f:
        f.write(b"n")
    changes = space.changes()
    assert [os.path.basename(p) for p in hashed] == ["new"]
    assert set(changes.put) == {"new"}


def test_changes_ignores_a_touched_file_with_the_same_contents(tmp_path, cache):
    space = materialised(tmp_path, cache, {"a": b"same"})
    os.utime(os.path.join(space.root, "a"))
    assert space.changes().put == {}


def test_changes_reports_a_mode_change_as_a_put_of_the_same_blob(tmp_path, cache):
    space = materialised(tmp_path, cache, {"run.sh": b"echo"})
    os.chmod(os.path.join(space.root, "run.sh"), 0o700)
    changes = space.changes()
    assert changes.put["run.sh"]["sha256"] == sha(b"echo")
    assert changes.put["run.sh"]["mode"] == 0o700


def test_changes_skips_symlinks_and_never_follows_them(tmp_path, cache):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"s3cr3t")
    space = materialised(tmp_path, cache, {"a": b"1"})
    os.symlink(outside, os.path.join(space.root, "dirlink"))
    os.symlink(outside / "secret", os.path.join(space.root, "filelink"))
    os.symlink("/nonexistent", os.path.join(space.root, "broken"))
    changes = space.changes()
    assert changes.put == {}
    assert sorted(changes.skipped) == ["broken", "dirlink", "filelink"]


def test_symlink_replacing_a_manifest_file_counts_as_a_delete(tmp_path, cache):
    space = materialised(tmp_path, cache, {"a": b"1"})
    os.remove(os.path.join(space.root, "a"))
    os.symlink("/etc/passwd", os.path.join(space.root, "a"))
    changes = space.changes()
    assert changes.put == {} and changes.delete == ["a"]


def test_remove_deletes_read_only_leftovers(tmp_path, cache):
    space = materialised(tmp_path, cache, {"d/a": b"1"})
    os.chmod(os.path.join(space.root, "d"), 0o500)
    space.remove()
    assert not os.path.exists(space.task_dir)
