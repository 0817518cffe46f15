"""Start-up benchmark: how long `ds` takes before it does anything useful.

Prints, from one run, the median wall time of each command and its ratio to
`python -c pass` measured in the same run (the floor for any Python CLI):

- `ds --version` and `ds --help` (target: within 4x of the floor)
- `ds project ls -f json` against a local hub holding 200 projects (target: within 15x)

Usage: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import time
import urllib.request

from common import executable, local_hub


def median_ms(argv: list[str], env: dict, runs: int) -> float:
    subprocess.run(argv, env=env, capture_output=True, check=True)  # warm the page cache and ds's command table
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fill_projects(url: str, api_key: str, count: int) -> None:
    auth = base64.b64encode(f"bench:{api_key}".encode()).decode()
    for i in range(count):
        request = urllib.request.Request(
            url + "/v2/projects", data=json.dumps({"name": f"project-{i:03d}"}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"},
        )
        urllib.request.urlopen(request).close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with local_hub() as (ds, _):
        api_key = json.loads((ds.config_dir / "credentials.json").read_text())[ds.env["DOTSCIENCE_URL"]]["api_key"]
        fill_projects(ds.env["DOTSCIENCE_URL"], api_key, 200)
        assert len(ds.ok("project", "ls", "-f", "json").json) == 200
        floor = median_ms([sys.executable, "-c", "pass"], ds.env, args.runs)
        rows = [("python -c pass", floor, None)]
        for label, argv, target in (
            ("ds --version", ["--version"], 4),
            ("ds --help", ["--help"], 4),
            ("ds project ls -f json (200 projects)", ["project", "ls", "-f", "json"], 15),
        ):
            rows.append((label, median_ms([executable("ds"), *argv], ds.env, args.runs), target))
    print(f"{'command':<40} {'median ms':>10} {'x floor':>8} {'target':>7}")
    for label, ms, target in rows:
        ratio = ms / floor
        verdict = "" if target is None else (f"<= {target}x" + ("" if ratio <= target else "  MISSED"))
        print(f"{label:<40} {ms:>10.1f} {ratio:>8.2f} {verdict:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
