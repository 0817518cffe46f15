"""The uvicorn server the hub runs in, with a shutdown that does not wait on long polls."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable

import uvicorn

# Requests still running this long after shutdown began are cancelled: a slow
# client must not keep the hub from stopping (systemd and test helpers kill after ~10 s).
GRACEFUL_SHUTDOWN_SECONDS = 8


class HubServer(uvicorn.Server):
    """uvicorn.Server whose shutdown first sets `stopping` and runs `before_shutdown` callbacks.

    Long polls (runner claims, `ds logs -f`) watch `stopping` and return at once;
    without it they would hold the shutdown for up to 30 s each. The callbacks
    (stopping the local runner) run while the hub still answers, so a runner
    can report the tasks it stops.
    """

    def __init__(self, app, stopping: threading.Event) -> None:
        super().__init__(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS))
        self.stopping = stopping
        self.before_shutdown: list[Callable[[], None]] = []

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.stopping.set()
        for callback in self.before_shutdown:
            await asyncio.to_thread(callback)  # the event loop keeps serving meanwhile
        await super().shutdown(sockets)
