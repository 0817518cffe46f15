"""Background upkeep: lost tasks of silent runners, and expired terminated tasks."""

from __future__ import annotations

import logging
import threading
import time

from dshub.jobs import mark_lost, remove_expired

LOG = logging.getLogger(__name__)


class Janitor(threading.Thread):
    def __init__(self, sessions, settings, interval: float = 1.0, expiry_interval: float = 60.0) -> None:
        super().__init__(name="dshub-janitor", daemon=True)
        self.sessions, self.settings = sessions, settings
        self.interval, self.expiry_interval = interval, expiry_interval
        self.stopped = threading.Event()

    def run(self) -> None:
        last_expiry = 0.0
        while not self.stopped.wait(self.interval):
            try:
                with self.sessions() as session:
                    mark_lost(session, self.settings.runner_timeout)
                    if time.monotonic() - last_expiry >= self.expiry_interval:
                        remove_expired(session, self.settings.task_retention_days)
                        last_expiry = time.monotonic()
            except Exception:  # the database may be briefly busy: try again next round
                LOG.exception("janitor round failed")

    def stop(self) -> None:
        self.stopped.set()
