"""Logging in (password -> API key) and revoking keys."""

from fastapi import APIRouter, Depends, HTTPException, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.core.security import DUMMY_PASSWORD_HASH, hash_api_key, new_api_key, verify_password
from dshub.models import ApiKey, User
from dshub.schemas import LoginIn, LoginOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, session: Session = Depends(get_session)) -> LoginOut:
    user = session.scalar(select(User).where(User.name == body.username))
    ok = verify_password(body.password, user.password_hash if user else DUMMY_PASSWORD_HASH)
    if user is None or not ok:
        raise HTTPException(401, "invalid username or password")
    key = new_api_key()
    session.add(ApiKey(user_id=user.id, key_hash=hash_api_key(key)))
    session.commit()
    return LoginOut(username=user.name, user_id=user.id, api_key=key)


@router.delete("/api-key", status_code=204)
def revoke(caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> Response:
    key = session.get(ApiKey, caller.api_key.id)
    if key is not None:
        session.delete(key)
        session.commit()
    return Response(status_code=204)
