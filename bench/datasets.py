"""Dataset sync benchmark: the hub syncing an S3 bucket vs a plain boto3 download of it.

From one run, against moto's S3 server on 127.0.0.1: a bucket of N objects
(2,000 x 100 kB = 200 MB by default); the time the hub takes from
`ds dataset create` to `synced`, and the time an `aws s3 sync`-like download
takes (boto3, 10 parallel GETs, as the AWS CLI does by default) of the same
bucket to a local folder. Prints both throughputs and their ratio.

Usage: python bench/datasets.py [--objects N] [--kb K]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import local_hub

from tests.lib.processes import MotoS3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--kb", type=int, default=100)
    args = parser.parse_args()
    moto = MotoS3().start()
    url = moto.url
    try:
        client = moto.client("s3", "k", "s")
        client.create_bucket(Bucket="bench")
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda i: client.put_object(Bucket="bench", Key=f"obj/{i:05d}.bin",
                                                      Body=os.urandom(args.kb * 1000)), range(args.objects)))
        total_mb = args.objects * args.kb / 1000
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            # baseline: an aws-s3-sync-like download
            start = time.perf_counter()
            keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket="bench")
                    for o in page.get("Contents", [])]
            target = tmp_path / "download"

            def fetch(key: str) -> None:
                path = target / key
                path.parent.mkdir(parents=True, exist_ok=True)
                client.download_file("bench", key, str(path))

            with ThreadPoolExecutor(10) as pool:
                list(pool.map(fetch, keys))
            baseline = time.perf_counter() - start
        with local_hub() as (ds, _):
            start = time.perf_counter()
            ds.ok("dataset", "create", "s3", "--name", "bench", "--access-key-id", "k", "--secret-access-key",
                  "s", "--bucket", "bench", "--endpoint-url", url)
            while ds.ok("dataset", "inspect", "bench").json[0]["status"] not in ("synced", "error"):
                time.sleep(0.1)
            synced = time.perf_counter() - start
            status = ds.ok("dataset", "inspect", "bench").json[0]
            assert status["status"] == "synced" and status["objects_synced"] == args.objects, status
    finally:
        moto.stop()
    print(f"{'measure':<52} {'seconds':>8} {'MB/s':>8} {'ratio':>7}")
    print(f"{f'boto3 download, 10 threads ({args.objects} objects, {total_mb:.0f} MB)':<52} "
          f"{baseline:>8.2f} {total_mb / baseline:>8.1f} {1:>7.2f}")
    print(f"{'hub sync (create -> synced)':<52} {synced:>8.2f} {total_mb / synced:>8.1f} {baseline / synced:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
