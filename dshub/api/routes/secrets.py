"""SSH secrets of projects. Only their owner sees them; private keys only through inspect."""

from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.api.routes.projects import resolve_project
from dshub.lookup import owned
from dshub.models import Project, Secret
from dshub.schemas import iso
from dshub.secrets import generate_keypair

router = APIRouter(prefix="/secrets", tags=["secrets"])


class SecretIn(BaseModel):
    project: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    type: str = Field(default="ed25519", pattern=r"^(ed25519|rsa)$")


def secret_out(secret: Secret, project_name: str) -> dict:
    return {"id": secret.id, "name": secret.name, "type": f"ssh-{secret.type}", "project_id": secret.project_id,
            "project": project_name, "public_key": secret.public_key, "created_at": iso(secret.created_at)}


def _name(session: Session, secret: Secret) -> str:
    return session.scalar(select(Project.name).where(Project.id == secret.project_id)) or ""


@router.post("", status_code=201)
def generate(body: SecretIn, request: Request, caller: Caller = Depends(get_caller),
             session: Session = Depends(get_session)) -> dict:
    project = resolve_project(session, caller, body.project)
    public, private = generate_keypair(body.type, f"{body.name}@dotscience")
    secret = Secret(owner_id=caller.user.id, project_id=project.id, name=body.name, type=body.type,
                    public_key=public, private_key_encrypted=request.app.state.secretbox.encrypt(private))
    session.add(secret)
    session.commit()
    return secret_out(secret, project.name)


@router.get("")
def list_secrets(caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> list[dict]:
    rows = session.execute(select(Secret, Project.name).join(Project, Secret.project_id == Project.id)
                           .where(Secret.owner_id == caller.user.id).order_by(Secret.created_at, Secret.id))
    return [secret_out(secret, name) for secret, name in rows]


@router.get("/{ref}")
def inspect(ref: str, request: Request, caller: Caller = Depends(get_caller),
            session: Session = Depends(get_session)) -> dict:
    """The manual's shape: `data` is base64 of JSON {public_key, private_key}, each base64 too."""
    secret = owned(session, Secret, caller.user.id, ref, "secret", by_name=True)
    private = request.app.state.secretbox.decrypt(secret.private_key_encrypted)
    payload = {"public_key": base64.b64encode(secret.public_key.encode()).decode(),
               "private_key": base64.b64encode(private.encode()).decode()}
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return {**secret_out(secret, _name(session, secret)), "data": data}


@router.delete("/{ref}", status_code=204)
def remove(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> Response:
    session.delete(owned(session, Secret, caller.user.id, ref, "secret", by_name=True))
    session.commit()
    return Response(status_code=204)
