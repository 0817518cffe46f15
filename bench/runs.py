"""Runs benchmark: `ds runs ls -f csv` on a project with 2,000 runs.

From one run, against a local hub and runner: a job publishes 2,000 runs with
the dotscience library; then the median wall time of `ds runs ls -f csv P`
(complete: 2,000 rows) and its ratio to `ds project ls` on the same hub.

Usage: python bench/runs.py [--runs N] [--count N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from common import executable, local_hub


def median_s(argv: list[str], env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    job = ("import dotscience as ds\nds.script()\n"
           f"for i in range({args.count}):\n"
           "    ds.start(); ds.parameter('i', i); ds.parameter('lr', i / 1000)\n"
           "    ds.summary('accuracy', i / 2000); ds.publish(f'run {i}')\n")
    with local_hub(runner=True, projects=("P",)) as (ds, _):
        ds.ok("run", "-p", "P", "python", "-c", job, timeout=600)
        rows = ds.ok("runs", "ls", "-f", "csv", "P").stdout.count("\n") - 1
        assert rows == args.count, rows
        runs_ls = median_s([executable("ds"), "runs", "ls", "-f", "csv", "P"], ds.env, args.runs)
        project_ls = median_s([executable("ds"), "project", "ls"], ds.env, args.runs)
    print(f"{'command':<44} {'median ms':>10} {'ratio':>8}")
    print(f"{'ds project ls':<44} {project_ls * 1000:>10.1f} {1:>8.2f}")
    print(f"{f'ds runs ls -f csv ({rows} runs, complete)':<44} {runs_ls * 1000:>10.1f} {runs_ls / project_ls:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
