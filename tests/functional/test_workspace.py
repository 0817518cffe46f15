"""ds run -u, .dotscience-ignore, incremental uploads, ds file ls, and -R/-b git checkouts."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# One tree, one case per directory: (files to create, ignore files, expected uploaded paths).
IGNORE_CASES = {
    "hidden": ({"a.txt": "", ".env": "", ".git/config": ""}, {}, {"a.txt"}),
    "star": ({"a.csv": "", "b.csv": "", "c.txt": ""}, {".dotscience-ignore": "*.csv\n"}, {"c.txt"}),
    "question": ({"data1.txt": "", "data10.txt": "", "datax.txt": ""}, {".dotscience-ignore": "data?.txt\n"},
                 {"data10.txt"}),
    "braces": ({"a.py": "", "b.py": "", "c.py": ""}, {".dotscience-ignore": "{a,b}.py\n"}, {"c.py"}),
    "escape": ({"*.txt": "", "x.txt": ""}, {".dotscience-ignore": "\\*.txt\n"}, {"x.txt"}),
    "class": ({"-x": "", "_x": "", "Qx": "", "9x": "", "+x": ""},
              {".dotscience-ignore": "[a-zA-Z0-9\\-_]x\n"}, {"+x"}),
    "negclass": ({"a1": "", "Z1": "", "_1": ""}, {".dotscience-ignore": "[!a-z]1\n"}, {"a1"}),
    "comments": ({"keep": "", "#notes": ""}, {".dotscience-ignore": "# a comment\n\n   \n"}, {"keep", "#notes"}),
    "dirname": ({"cache/x": "", "cache/y": "", "src/cache.py": ""}, {".dotscience-ignore": "cache\n"},
                {"src/cache.py"}),
    "path": ({"data/raw/a": "", "data/b": "", "raw/c": ""}, {".dotscience-ignore": "data/raw\n"},
             {"data/b", "raw/c"}),
    "nested": ({"a.log": "", "sub/b.log": "", "sub/c.tmp": "", "c.tmp": ""},
               {"sub/.dotscience-ignore": "*.log\n*.tmp\n"}, {"a.log", "c.tmp"}),
    "cancel-hidden": ({".keep": "", "a": "", ".git/x": ""}, {".dotscience-ignore": "-.*\n"},
                      {".keep", "a", ".git/x", ".dotscience-ignore"}),
    "cancel-below": ({"a.csv": "", "sub/b.csv": "", "sub/deeper/c.csv": "", "other/d.csv": ""},
                     {".dotscience-ignore": "*.csv\n", "sub/.dotscience-ignore": "-*.csv\n"},
                     {"sub/b.csv", "sub/deeper/c.csv"}),
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def stats(user) -> dict:
    api_key = json.loads((user.config_dir / "credentials.json").read_text())[user.env["DOTSCIENCE_URL"]]["api_key"]
    user_name = json.loads((user.config_dir / "credentials.json").read_text())[user.env["DOTSCIENCE_URL"]]["username"]
    request = urllib.request.Request(user.env["DOTSCIENCE_URL"] + "/v2/stats", headers={
        "Authorization": "Basic " + base64.b64encode(f"{user_name}:{api_key}".encode()).decode()})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_ignore_rules_table(user, start_runner, tmp_path):
    start_runner()
    top = tmp_path / "tree"
    expected = set()
    for case, (files, ignores, uploaded) in IGNORE_CASES.items():
        write_tree(top / case, {**files, **ignores})
        expected |= {f"{case}/{path}" for path in uploaded}
    # the top's own .dotscience-ignore rules apply to every case
    result = user("run", "-p", "P", "-d", "-u", str(top), "true")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    listed = set(user.ok("file", "ls", "-q", "P").stdout.split("\n")) - {""}
    for case in IGNORE_CASES:
        got = {p for p in listed if p.startswith(case + "/")}
        want = {p for p in expected if p.startswith(case + "/")}
        assert got == want, case


def test_second_upload_sends_nothing_and_a_change_sends_one_file(user, start_runner, tmp_path):
    start_runner()
    src = tmp_path / "src"
    write_tree(src, {f"f{i}.txt": f"content {i}\n" * 100 for i in range(20)})
    user.ok("run", "-p", "P", "-u", str(src), "true")
    before = stats(user)
    user.ok("run", "-p", "P", "-u", str(src), "true")
    assert stats(user) == before
    (src / "f3.txt").write_text("changed!\n")
    user.ok("run", "-p", "P", "-u", str(src), "true")
    after = stats(user)
    assert after["blobs_received"] - before["blobs_received"] == 1
    assert after["blob_bytes_received"] - before["blob_bytes_received"] == len("changed!\n")


def test_job_outputs_appear_and_survive_later_uploads(user, start_runner, tmp_path):
    start_runner()
    src = tmp_path / "src"
    write_tree(src, {"train.py": "open('model.bin', 'w').write('weights')\nprint(open('data.txt').read())\n",
                     "data.txt": "some data"})
    assert user.ok("run", "-p", "P", "-u", str(src), "python", "train.py").stdout == "some data\n"
    assert user.ok("file", "ls", "-q", "P").stdout == "data.txt\nmodel.bin\ntrain.py\n"
    (src / "data.txt").write_text("new data")
    assert user.ok("run", "-p", "P", "-u", str(src), "cat", "model.bin").stdout == "weights\n"
    assert "model.bin" in user.ok("file", "ls", "-q", "P").stdout
    files = {f["name"]: f for f in user.ok("file", "ls", "-f", "json", "P").json}
    assert files["data.txt"]["size"] == len("new data") and files["model.bin"]["size"] == len("weights")
    table = user.ok("file", "ls", "P").lines
    assert [h.strip() for h in table[1].strip("|").split("|")] == ["NAME", "SIZE", "LAST MODIFIED"]
    tasks = user.ok("task", "ls", "-f", "json").json
    # the audit trail: each task records the version it started from and the one it produced
    assert all(t["workspace_version_in"] and t["workspace_version_out"] for t in tasks)
    assert tasks[0]["workspace_version_out"] != tasks[0]["workspace_version_in"]


def test_upload_bad_input_is_one_line_and_changes_nothing(user, tmp_path):
    missing = user("run", "-p", "P", "-u", str(tmp_path / "nope"), "true")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such directory" in missing.stderr
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    not_dir = user("run", "-p", "P", "-u", str(a_file), "true")
    assert not_dir.returncode == 2 and "not a directory" in not_dir.stderr
    assert user.ok("task", "ls", "-f", "json").json == []
    assert user.ok("file", "ls", "-q", "P").stdout == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: covered by a unit test")
def test_unreadable_file_is_named(user, tmp_path):
    src = tmp_path / "src"
    write_tree(src, {"secret.txt": "x"})
    (src / "secret.txt").chmod(0)
    result = user("run", "-p", "P", "-u", str(src), "true")
    assert result.returncode == 2 and "secret.txt" in result.stderr


def test_symlink_escaping_the_directory_is_skipped_with_a_warning(user, start_runner, tmp_path):
    start_runner()
    outside = tmp_path / "outside.txt"
    outside.write_text("private")
    src = tmp_path / "src"
    write_tree(src, {"inside.txt": "ok"})
    (src / "escape").symlink_to(outside)
    (src / "alias.txt").symlink_to(src / "inside.txt")
    result = user("run", "-p", "P", "-d", "-u", str(src), "true")
    assert result.returncode == 0
    assert result.stderr.count("\n") == 1 and "escape" in result.stderr and "warning" in result.stderr
    assert user.ok("file", "ls", "-q", "P").stdout == "alias.txt\ninside.txt\n"


def test_malicious_manifest_paths_are_refused_by_the_hub(user, tmp_path):
    credentials = json.loads((user.config_dir / "credentials.json").read_text())[user.env["DOTSCIENCE_URL"]]
    auth = base64.b64encode(f"{credentials['username']}:{credentials['api_key']}".encode()).decode()
    entry = {"sha256": "0" * 64, "size": 1, "mode": 420, "mtime": 1.0}
    for path in ("../evil", "/etc/passwd", "a/../../b", "a//b", "."):
        request = urllib.request.Request(
            user.env["DOTSCIENCE_URL"] + "/v2/projects/P/workspace", method="POST",
            data=json.dumps({"files": {path: entry}}).encode(),
            headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request)
        assert error.value.code == 422, path
    assert user.ok("file", "ls", "-q", "P").stdout == ""
