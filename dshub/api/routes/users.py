from fastapi import APIRouter, Depends

from dshub.api.deps import Caller, get_caller
from dshub.schemas import UserOut, iso

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserOut)
def me(caller: Caller = Depends(get_caller)) -> UserOut:
    return UserOut(id=caller.user.id, name=caller.user.name, created_at=iso(caller.user.created_at))
