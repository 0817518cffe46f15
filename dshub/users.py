"""Creating users (used by `ds-hub user create` and `ds-hub up`)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dshub.core.security import hash_password
from dshub.models import User

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class UserError(Exception):
    pass


def create_user(session: Session, name: str, password: str) -> User:
    if not _NAME.match(name):
        raise UserError(f"invalid user name '{name}': use letters, digits, '.', '_' and '-' (at most 100)")
    if not password:
        raise UserError("the password is empty")
    if user_exists(session, name):
        raise UserError(f"a user named '{name}' already exists")
    user = User(name=name, password_hash=hash_password(password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # created meanwhile by another process: the unique name decides
        session.rollback()
        raise UserError(f"a user named '{name}' already exists") from None
    return user


def user_exists(session: Session, name: str) -> bool:
    return session.scalar(select(User.id).where(User.name == name)) is not None
