"""The FastAPI application: every router under /v2."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from dshub import db, version
from dshub.api.routes import auth, health, projects, users
from dshub.core.config import Settings
from dshub.errors import install_handlers


def create_app(settings: Settings, migrate: bool = True) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.database_url)
    if migrate:
        db.upgrade(engine)
    app = FastAPI(title="dshub", version=version(), description="The hub the ds CLI talks to.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    v2 = APIRouter(prefix="/v2")
    for module in (health, auth, users, projects):
        v2.include_router(module.router)
    app.include_router(v2)
    install_handlers(app)
    return app
