"""Log streaming: read a job's stdout/stderr line by line and ship numbered batches to the hub.

Readers (one thread per pipe) put lines on one queue; a single shipper thread
numbers them (``seq`` 1, 2, 3... per task, stdout, stderr and system entries in
one sequence) and POSTs them in batches of up to ``max_entries`` entries, at
least every ``interval`` seconds while lines keep coming. A failed POST is
retried with the same entries: the hub ignores seqs it already has.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import IO, Any

log = logging.getLogger(__name__)

READ_SIZE = 64 * 1024
MAX_ENTRIES = 5000
MAX_BATCH_BYTES = 4 * 1024 * 1024
INTERVAL = 0.2

Sender = Callable[[list[dict[str, Any]]], None]


def utc_now() -> str:
    """ISO-8601 UTC with microseconds and a Z, as the API wants."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def split_lines(buffer: bytes, chunk: bytes) -> tuple[list[bytes], bytes]:
    """Append ``chunk`` to the unfinished ``buffer``; return the complete lines (no newline) and the rest."""
    data = buffer + chunk if buffer else chunk
    if b"\n" not in data:
        return [], data
    parts = data.split(b"\n")
    return parts[:-1], parts[-1]


def decode(line: bytes) -> str:
    if line.endswith(b"\r"):
        line = line[:-1]
    return line.decode("utf-8", errors="replace")


class LogShipper:
    """Numbers log entries (from ``first_seq``) and sends them in batches through ``send(entries)``.

    ``send`` raises on failure; the batch is then retried (backoff up to 5 s)
    until it succeeds, the error is permanent (``exc.permanent`` true, e.g. a
    4xx from the hub: the batch is dropped), or ``close()``'s deadline passes.
    """

    def __init__(self, send: Sender, *, first_seq: int = 1, max_entries: int = MAX_ENTRIES,
                 interval: float = INTERVAL, max_bytes: int = MAX_BATCH_BYTES):
        self.send = send
        self.max_entries = max_entries
        self.interval = interval
        self.max_bytes = max_bytes
        self.seq = first_seq - 1  # the last seq assigned
        self.sent = 0  # entries the hub accepted
        self.dropped = 0
        self._queue: queue.Queue[tuple[str, list[str], str] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
        self._give_up_at: float | None = None
        self._started = False

    # -- producers ----------------------------------------------------------
    def add(self, stream: str, line: str) -> None:
        self._queue.put((stream, [line], utc_now()))

    def add_lines(self, stream: str, lines: list[str]) -> None:
        if lines:
            self._queue.put((stream, lines, utc_now()))

    def system(self, line: str) -> None:
        """A line from the runner itself (stream ``system``)."""
        self.add("system", line)

    def read_pipe(self, pipe: IO[bytes], stream: str) -> None:
        """Read ``pipe`` to EOF, queueing each line; a last line without newline counts too."""
        read = getattr(pipe, "read1", pipe.read)
        rest = b""
        try:
            while True:
                chunk = read(READ_SIZE)
                if not chunk:
                    break
                lines, rest = split_lines(rest, chunk)
                self.add_lines(stream, [decode(x) for x in lines])
        except (OSError, ValueError) as exc:  # pipe closed under us
            log.debug("reading %s: %s", stream, exc)
        finally:
            if rest:
                self.add_lines(stream, [decode(rest)])
            try:
                pipe.close()
            except OSError:
                pass

    def reader(self, pipe: IO[bytes], stream: str) -> threading.Thread:
        """Start and return a thread running ``read_pipe``."""
        thread = threading.Thread(target=self.read_pipe, args=(pipe, stream), name=f"log-{stream}", daemon=True)
        thread.start()
        return thread

    # -- the shipper --------------------------------------------------------
    def start(self) -> LogShipper:
        self._started = True
        self._thread.start()
        return self

    def close(self, timeout: float = 60.0) -> bool:
        """Send everything queued so far, then stop; False if entries were dropped or time ran out."""
        self._give_up_at = time.monotonic() + timeout
        self._queue.put(None)
        if self._started:
            self._thread.join(timeout + 1)
        else:
            self._run()
        return self.dropped == 0 and not self._thread.is_alive()

    def _run(self) -> None:
        pending: list[dict[str, Any]] = []
        size = 0
        due_at: float | None = None  # when the oldest unsent entry must go out
        closing = False
        while not (closing and not pending):
            if not closing:
                timeout = None if due_at is None else max(0.0, due_at - time.monotonic())
                try:
                    item = self._queue.get(timeout=timeout)
                except queue.Empty:
                    item = ("", [], "")
                if item is None:
                    closing = True
                else:
                    stream, lines, ts = item
                    for line in lines:
                        self.seq += 1
                        pending.append({"seq": self.seq, "ts": ts, "stream": stream, "line": line})
                        size += len(line) + 64
                    if pending and due_at is None:
                        due_at = time.monotonic() + self.interval
            if pending and (closing or len(pending) >= self.max_entries or size >= self.max_bytes
                            or time.monotonic() >= (due_at or 0)):
                batch, pending = self._take(pending)
                self._ship(batch)
                size -= sum(len(e["line"]) + 64 for e in batch)
                due_at = time.monotonic() + self.interval if pending else None

    def _take(self, pending: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        size = 0
        for i, entry in enumerate(pending):
            size += len(entry["line"]) + 64
            if i + 1 >= self.max_entries or (size >= self.max_bytes and i > 0):
                return pending[:i + 1], pending[i + 1:]
        return pending, []

    def _ship(self, batch: list[dict[str, Any]]) -> None:
        delay = 0.2
        while True:
            try:
                self.send(batch)
                self.sent += len(batch)
                return
            except Exception as exc:  # any failure: retry the same batch
                if getattr(exc, "permanent", False) or (
                        self._give_up_at is not None and time.monotonic() + delay > self._give_up_at):
                    log.warning("dropping %d log entries (seq %d-%d): %s", len(batch), batch[0]["seq"],
                                batch[-1]["seq"], exc)
                    self.dropped += len(batch)
                    return
                log.debug("sending logs failed (%s); retrying in %.1fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
