"""Upload benchmark for `ds run -u` (incremental, content-addressed uploads).

From one run, against a local hub (no runner: the tasks just queue):
- a generated tree of 10,000 files / 200 MB: the first upload, an unchanged
  re-upload (ratio to the first), and a re-upload after one file changed;
- the scan+hash rate of the first upload's scan vs `tar -cf - DIR > /dev/null`
  on the same tree (the cost of just reading it);
- the peak RSS of `ds run -u` uploading one 1 GB file, next to the peak RSS of
  `ds project ls` (flat memory means the two are close).

Usage: python bench/upload.py [--files N] [--megabytes M] [--big-gb G]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from common import executable, local_hub

PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed(argv: list[str], env: dict, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True, **kw)
    return time.perf_counter() - start


def peak_rss_mb(argv: list[str], env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, *argv], env=env, check=True, capture_output=True,
                         text=True).stdout
    return int(out.strip()) / 1024


def make_tree(root: Path, files: int, total_bytes: int) -> None:
    size = total_bytes // files
    for i in range(files):
        directory = root / f"d{i // 100:03d}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"f{i:05d}.bin").write_bytes(os.urandom(size))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--big-gb", type=float, default=1.0)
    args = parser.parse_args()
    with local_hub(projects=("P", "Big")) as (ds, tmp_path):
        tree = tmp_path / "tree"
        make_tree(tree, args.files, args.megabytes * 1_000_000)
        upload = [executable("ds"), "run", "-p", "P", "-d", "-u", str(tree), "true"]
        first = timed(upload, ds.env)
        unchanged = timed(upload, ds.env)
        (tree / "d000" / "f00000.bin").write_bytes(os.urandom(1000))
        one_changed = timed(upload, ds.env)
        scan = timed([sys.executable, "-c", "import sys; from dscli.workspace.manifest import scan; "
                      "scan(sys.argv[1], print)", str(tree)], ds.env)
        tar = timed(["sh", "-c", f"tar -cf - -C {tree} . > /dev/null"], ds.env)
        big_dir = tmp_path / "big"
        big_dir.mkdir()
        with open(big_dir / "big.bin", "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(int(args.big_gb * 1024)):
                f.write(chunk)
        baseline_rss = peak_rss_mb([executable("ds"), "project", "ls"], ds.env)
        big_rss = peak_rss_mb([executable("ds"), "run", "-p", "Big", "-d", "-u", str(big_dir), "true"], ds.env)
    mb = args.megabytes
    print(f"{'measure':<58} {'value':>12} {'ratio':>8}")
    print(f"{f'first upload, {args.files} files / {mb} MB':<58} {first:>10.2f} s {1:>8.2f}")
    print(f"{'unchanged re-upload (no file content sent)':<58} {unchanged:>10.2f} s {unchanged / first:>8.3f}")
    print(f"{'re-upload with one file changed':<58} {one_changed:>10.2f} s {one_changed / first:>8.3f}")
    print(f"{'scan+hash of the tree':<58} {mb / scan:>7.0f} MB/s {1:>8.2f}")
    print(f"{'tar -cf - TREE > /dev/null':<58} {mb / tar:>7.0f} MB/s {scan / tar:>8.2f}")
    print(f"{'peak RSS: ds project ls':<58} {baseline_rss:>9.1f} MB {1:>8.2f}")
    print(f"{f'peak RSS: ds run -u with one {args.big_gb:g} GB file':<58} {big_rss:>9.1f} MB "
          f"{big_rss / baseline_rss:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
