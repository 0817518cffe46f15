from fastapi import APIRouter

from dshub import version
from dshub.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=version())
