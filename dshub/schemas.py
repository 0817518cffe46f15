"""What the API accepts and returns (separate from the ORM models)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from pydantic import BaseModel, Field, field_validator

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def iso(value: datetime) -> str:
    """ISO-8601 UTC with microseconds and a Z (SQLite hands back naive UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LoginIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class LoginOut(BaseModel):
    username: str
    user_id: str
    api_key: str


class UserOut(BaseModel):
    id: str
    name: str
    created_at: str


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)

    @field_validator("name")
    @classmethod
    def _printable(cls, name: str) -> str:
        if _CONTROL.search(name):
            raise ValueError("must not contain control characters")
        if name != name.strip():
            raise ValueError("must not start or end with spaces")
        return name


class DatasetLink(BaseModel):
    dataset_id: str
    name: str
    path: str


class ProjectOut(BaseModel):
    id: str
    name: str
    owner: str
    dots: int
    collaborators: list[str]
    datasets: list[DatasetLink]
    created_at: str


class Health(BaseModel):
    status: str
    version: str
