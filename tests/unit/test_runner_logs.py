"""Log streaming: line splitting, stream separation, seq numbering, batching and resending."""

from __future__ import annotations

import io
import os
import re
import threading
import time

from dsrunner.executors.base import JobSpec
from dsrunner.executors.process import ProcessExecutor
from dsrunner.logs import LogShipper, split_lines, utc_now


class FakeSender:
    def __init__(self, fail_first: int = 0, delay: float = 0.0):
        self.batches: list[list[dict]] = []
        self.calls = 0
        self.fail_first = fail_first
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, entries):
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail_first:
                raise ConnectionError("hub down")
        time.sleep(self.delay)
        self.batches.append([dict(e) for e in entries])

    @property
    def entries(self):
        # What the hub stores: duplicates by seq ignored.
        seen = {}
        for batch in self.batches:
            for e in batch:
                seen.setdefault(e["seq"], e)
        return [seen[k] for k in sorted(seen)]


def test_split_lines_keeps_the_unfinished_rest():
    assert split_lines(b"", b"a\nb\nc") == ([b"a", b"b"], b"c")
    assert split_lines(b"c", b"d\n") == ([b"cd"], b"")
    assert split_lines(b"x", b"yz") == ([], b"xyz")
    assert split_lines(b"", b"\n\n") == ([b"", b""], b"")


def test_timestamps_are_iso8601_utc_with_z():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", utc_now())


def test_read_pipe_strips_newlines_and_keeps_a_partial_last_line():
    sender = FakeSender()
    shipper = LogShipper(sender).start()
    shipper.read_pipe(io.BytesIO(b"one\ntwo\r\n\nlast without newline"), "stdout")
    assert shipper.close()
    assert [e["line"] for e in sender.entries] == ["one", "two", "", "last without newline"]
    assert [e["seq"] for e in sender.entries] == [1, 2, 3, 4]
    assert {e["stream"] for e in sender.entries} == {"stdout"}


def test_invalid_utf8_is_replaced_not_fatal():
    sender = FakeSender()
    shipper = LogShipper(sender).start()
    shipper.read_pipe(io.BytesIO(b"caf\xc3\xa9 \xff\n"), "stderr")
    shipper.close()
    assert sender.entries[0]["line"] == "café \ufffd"


def test_very_long_lines_are_kept_whole():
    sender = FakeSender()
    shipper = LogShipper(sender).start()
    shipper.read_pipe(io.BytesIO(b"x" * 1_000_000 + b"\nend\n"), "stdout")
    shipper.close()
    assert [len(e["line"]) for e in sender.entries] == [1_000_000, 3]


def test_stdout_stderr_and_system_share_one_seq_sequence(tmp_path):
    sender = FakeSender()
    shipper = LogShipper(sender).start()
    shipper.system("runner r1 started the task")
    job = ProcessExecutor().start(JobSpec(
        ["sh", "-c", "echo out1; echo err1 >&2; sleep 0.1; echo out2; printf partial >&2"],
        str(tmp_path), dict(os.environ)))
    readers = [shipper.reader(job.stdout, "stdout"), shipper.reader(job.stderr, "stderr")]
    code = job.wait()
    for r in readers:
        r.join()
    shipper.system(f"exit code {code}")
    assert shipper.close()
    entries = sender.entries
    assert [e["seq"] for e in entries] == list(range(1, 7))
    assert entries[0] == {**entries[0], "stream": "system", "line": "runner r1 started the task"}
    assert entries[-1]["stream"] == "system" and entries[-1]["line"] == "exit code 0"
    assert [e["line"] for e in entries if e["stream"] == "stdout"] == ["out1", "out2"]
    assert [e["line"] for e in entries if e["stream"] == "stderr"] == ["err1", "partial"]


def test_a_failed_batch_is_resent_with_the_same_seqs():
    sender = FakeSender(fail_first=2)
    shipper = LogShipper(sender).start()
    for i in range(3):
        shipper.add("stdout", f"line {i}")
    assert shipper.close()
    assert sender.calls >= 3
    assert [(e["seq"], e["line"]) for e in sender.entries] == [(1, "line 0"), (2, "line 1"), (3, "line 2")]


def test_a_permanent_error_drops_the_batch_instead_of_retrying_forever():
    class Permanent(Exception):
        permanent = True

    def send(entries):
        raise Permanent("404 task not assigned to this runner")

    shipper = LogShipper(send).start()
    shipper.add("stdout", "x")
    assert shipper.close(timeout=5) is False
    assert shipper.dropped == 1


def test_batches_go_out_while_the_job_is_still_running():
    sender = FakeSender()
    shipper = LogShipper(sender, interval=0.05).start()
    shipper.add("stdout", "early")
    deadline = time.monotonic() + 2
    while not sender.batches and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sender.batches and sender.batches[0][0]["line"] == "early"
    shipper.close()


def test_two_hundred_thousand_lines_go_in_a_few_large_batches():
    sender = FakeSender(delay=0.01)
    shipper = LogShipper(sender).start()
    data = b"".join(b"line %d of the training output\n" % i for i in range(200_000))
    started = time.monotonic()
    shipper.read_pipe(io.BytesIO(data), "stdout")
    assert shipper.close()
    elapsed = time.monotonic() - started
    entries = sender.entries
    assert len(entries) == 200_000
    assert entries[-1]["seq"] == 200_000 and entries[-1]["line"] == "line 199999 of the training output"
    assert all(len(b) <= 5000 for b in sender.batches)
    assert len(sender.batches) <= 60
    assert elapsed < 10


def test_numbering_can_start_after_the_hubs_own_entries():
    sender = FakeSender()
    shipper = LogShipper(sender, first_seq=2).start()
    shipper.system("runner r1 started the task")
    shipper.close()
    assert [e["seq"] for e in sender.entries] == [2]
