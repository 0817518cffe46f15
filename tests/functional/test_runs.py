"""Runs published by the real dotscience library in jobs: ds runs ls / inspect."""

from __future__ import annotations

import csv
import io
import json
import re
import time

from tests.functional.test_jobs import wait_state

PUBLISH_THREE = '''
import dotscience as ds
ds.script()
for lr, acc, loss in ((0.1, 0.9, 0.5), (0.01, 0.95, 0.4), (0.5, None, 0.3)):
    ds.start()
    ds.parameter("lr", lr)
    ds.parameter("epochs", 3)
    if acc is not None:
        ds.summary("accuracy", acc)
    ds.summary("loss", loss)
    ds.label("lr_kind", "small" if lr < 0.1 else "big")
    ds.input("data.csv")
    open(f"model-{lr}.txt", "w").write(str(lr))
    ds.output(f"model-{lr}.txt")
    print("training with", lr)
    ds.publish(f"lr={lr}")
'''


def blocks(text: str) -> dict[str, dict]:
    pattern = r"\[\[DOTSCIENCE-RUN:([0-9a-f-]+)\]\](.*?)\[\[/DOTSCIENCE-RUN:\1\]\]"
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(pattern, text, re.S)}


def test_three_published_runs_list_and_inspect_round_trip(user, start_runner, tmp_path):
    start_runner()
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(PUBLISH_THREE)
    (src / "data.csv").write_text("x,y\n1,2\n")
    result = user.ok("run", "-p", "P", "-u", str(src), "python", "train.py")
    published = blocks(result.stdout)
    assert len(published) == 3
    rows = user.ok("runs", "ls", "--summary-type=accuracy", "P", "-f", "json").json
    assert sorted(r["score"] for r in rows) == [0.9, 0.95]
    assert {r["description"] for r in rows} == {"lr=0.1", "lr=0.01"}
    assert all(r["parameters.epochs"] == 3 for r in rows)
    task = user.ok("task", "ls", "-f", "json").json[-1]
    for run_id, metadata in published.items():
        [run] = user.ok("runs", "inspect", "--project", "P", run_id[:13]).json
        for key, value in metadata.items():
            assert run[key] == value, key
        assert run["id"] == run_id and run["task_id"] == task["id"]
        assert run["workspace_version"] == task["workspace_version_out"]
        [data] = run["input_files"]
        assert data["path"] == "data.csv" and data["workspace_version"] == task["workspace_version_in"]
        assert len(data["sha256"]) == 64
        [model] = run["output_files"]
        assert model["workspace_version"] == task["workspace_version_out"] and model["sha256"]
    loss = user.ok("runs", "ls", "--summary-type", "loss", "P", "-f", "value", "-c", "SCORE",
                   "--sort-column", "SCORE").stdout
    assert loss == "0.3\n0.4\n0.5\n"


def test_runs_ls_picks_the_most_common_summary_and_says_so(user, start_runner, tmp_path):
    start_runner()
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(PUBLISH_THREE)
    (src / "data.csv").write_text("x\n")
    user.ok("run", "-p", "P", "-u", str(src), "python", "train.py")
    result = user.ok("runs", "ls", "P")
    assert "'loss'" in result.stderr and "--summary-type" in result.stderr
    header = [h.strip() for h in result.lines[1].strip("|").split("|")]
    assert header == ["ID", "DESCRIPTION", "TASK", "PARAMETERS", "SCORE", "AGE"]
    assert len(result.lines) == 3 + 3 + 1


def test_scores_sort_numerically(user, start_runner):
    start_runner()
    job = ("import dotscience as ds\nds.script()\n"
           "for v in (10, 9.5, 100, 2):\n    ds.start(); ds.summary('score', v); ds.publish(str(v))\n")
    user.ok("run", "-p", "P", "python", "-c", job)
    out = user.ok("runs", "ls", "P", "-f", "value", "-c", "SCORE", "--sort-column", "SCORE").stdout
    assert out == "2\n9.5\n10\n100\n"


def test_a_job_killed_mid_publish_keeps_earlier_runs(user, start_runner):
    start_runner()
    job = ("import dotscience as ds, sys, time\nds.script()\n"
           "ds.start(); ds.summary('accuracy', 0.8); ds.publish('ok')\n"
           "sys.stdout.write('[[DOTSCIENCE-RUN:0b5e6c1e-0000-4000-8000-000000000001]]{\\n  \"summary\": {\\n')\n"
           "sys.stdout.flush()\nprint('waiting', flush=True)\ntime.sleep(300)\n")
    task_id = user.ok("run", "-p", "P", "-d", "python", "-c", job).stdout.strip()
    deadline = time.monotonic() + 60
    while "waiting" not in user.ok("logs", task_id).stdout and time.monotonic() < deadline:
        time.sleep(0.2)
    user.ok("task", "stop", task_id)
    assert wait_state(user, task_id, ("stopped",))["state"] == "stopped"
    runs = user.ok("runs", "ls", "P", "-f", "json").json
    assert [r["description"] for r in runs] == ["ok"]
    system = [line for line in user.ok("logs", "-v", task_id).lines if " system: " in line]
    assert any("skipped run 0b5e6c1e" in line and "cut off" in line for line in system)
    assert any("recorded 1 run" in line for line in system)


def test_two_thousand_runs_export_completely_to_csv(user, start_runner):
    start_runner()
    job = ("import dotscience as ds\nds.script()\n"
           "for i in range(2000):\n    ds.start(); ds.parameter('i', i); ds.parameter('lr', i / 1000)\n"
           "    ds.summary('accuracy', i / 2000); ds.publish(f'run {i}')\n")
    user.ok("run", "-p", "P", "-d", "python", "-c", job)
    task = user.ok("task", "ls", "-f", "json").json[-1]
    wait_state(user, task["id"], ("succeeded",), timeout=180)
    rows = list(csv.DictReader(io.StringIO(user.ok("runs", "ls", "P", "-f", "csv", timeout=120).stdout)))
    assert len(rows) == 2000
    assert sorted(int(r["parameters.i"]) for r in rows) == list(range(2000))
    assert {"id", "score", "parameters.lr", "summary.accuracy"} <= set(rows[0])
    assert all(float(r["score"]) == float(r["summary.accuracy"]) for r in rows)


def test_runs_of_an_unknown_project_or_run_are_one_line(user):
    assert user("runs", "ls", "nope").returncode == 3
    missing = user("runs", "inspect", "--project", "P", "ffff")
    assert missing.returncode == 3 and missing.stderr == "ds: no run 'ffff' in project P\n"
    assert user.ok("runs", "ls", "P", "-f", "json").json == []


