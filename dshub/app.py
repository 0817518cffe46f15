"""The FastAPI application: every router under /v2."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI

from dshub import db, version
from dshub.api.routes import agent, auth, datasets, health, projects, runners, runs, secrets, tasks, users, workspace
from dshub.blobstore import BlobStore
from dshub.core.config import Settings
from dshub.core.secretbox import SecretBox
from dshub.datasets import DatasetSyncer
from dshub.errors import install_handlers
from dshub.janitor import Janitor

# Long polls (runners claiming work, `ds logs -f`) each hold a worker thread.
WORKER_THREADS = 400


@asynccontextmanager
async def lifespan(app: FastAPI):
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    janitor = Janitor(app.state.sessions, app.state.settings)
    janitor.start()
    try:
        yield
    finally:
        janitor.stop()
        app.state.syncer.shutdown()


def create_app(settings: Settings, migrate: bool = True) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.database_url)
    if migrate:
        db.upgrade(engine)
    app = FastAPI(title="dshub", version=version(), description="The hub the ds CLI talks to.", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    app.state.blobs = BlobStore(settings.blob_dir)
    app.state.secretbox = SecretBox.for_data_dir(settings.data_dir)
    app.state.syncer = DatasetSyncer(app.state.sessions, app.state.blobs, app.state.secretbox)
    app.state.stats = {"blobs_received": 0, "blob_bytes_received": 0}
    # Set when the server starts shutting down: long polls return at once instead of holding it up.
    app.state.stopping = threading.Event()
    v2 = APIRouter(prefix="/v2")
    for module in (health, auth, users, workspace, runs, datasets, projects, runners, tasks, secrets, agent):
        v2.include_router(module.router)
    app.include_router(v2)
    install_handlers(app)
    return app
