"""Jobs benchmark: end-to-end latency of `ds run`, and log throughput.

From one run, against a local hub and one local ds-runner:
- median wall time of `ds run -p P true`, and its ratio to `python -c pass`;
- lines per second of a job printing N lines, through `ds run` (hub + runner +
  streaming back) vs the same command run locally into a pipe.

Usage: python bench/jobs.py [--runs N] [--lines N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from common import executable, local_hub


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    job = f"for i in range({args.lines}): print(i)"
    with local_hub(runner=True, projects=("P",)) as (ds, _):
        run = [executable("ds"), "run", "-p", "P"]
        timed(run + ["true"], ds.env)  # warm up
        floor = statistics.median(timed([sys.executable, "-c", "pass"], ds.env) for _ in range(args.runs))
        latency = statistics.median(timed(run + ["true"], ds.env) for _ in range(args.runs))
        local = min(timed([sys.executable, "-c", job], ds.env) for _ in range(3))
        remote = min(timed(run + ["python", "-c", job], ds.env) for _ in range(3))
    print(f"{'measure':<48} {'value':>14} {'ratio':>8}")
    print(f"{'python -c pass (median)':<48} {floor * 1000:>11.1f} ms {1:>8.2f}")
    print(f"{'ds run -p P true, end to end (median)':<48} {latency * 1000:>11.1f} ms {latency / floor:>8.1f}")
    print(f"{f'{args.lines} lines, run locally into a pipe':<48} {args.lines / local:>9.0f} l/s {1:>8.2f}")
    print(f"{f'{args.lines} lines, through ds run':<48} {args.lines / remote:>9.0f} l/s {local / remote:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
