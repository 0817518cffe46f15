"""Dependencies shared by the routes: a database session, the calling user."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.core.security import hash_api_key
from dshub.models import ApiKey, User


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


@dataclass
class Caller:
    user: User
    api_key: ApiKey


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Basic realm="dshub", Bearer'})


def get_caller(request: Request, session: Session = Depends(get_session)) -> Caller:
    """HTTP Basic (username:api_key) or Bearer api_key."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    username = None
    if scheme.lower() == "basic":
        try:
            username, _, key = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _unauthorized("malformed Basic credentials") from None
    elif scheme.lower() == "bearer":
        key = value.strip()
    else:
        raise _unauthorized("credentials required: log in with ds login USER")
    api_key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key)))
    if api_key is None or (username is not None and api_key.user.name != username):
        raise _unauthorized("invalid or revoked API key")
    return Caller(api_key.user, api_key)
