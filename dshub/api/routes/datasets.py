"""S3 datasets, and their links to projects. Only their owner sees them; the secret key never leaves the hub."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.api.routes.projects import project_out, resolve_project
from dshub.lookup import owned
from dshub.models import Dataset, ProjectDataset
from dshub.schemas import ProjectOut, iso, iso_or_none
from dshub.workspaces import valid_path

router = APIRouter(tags=["datasets"])
REDACTED = "********"


class DatasetIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: str = Field(default="s3", pattern=r"^s3$")
    bucket: str = Field(min_length=3, max_length=255)
    access_key_id: str = Field(min_length=1, max_length=255)
    secret_access_key: str = Field(min_length=1, max_length=1000)
    endpoint_url: str | None = Field(default=None, max_length=1000, pattern=r"^https?://")
    region: str | None = Field(default=None, max_length=100)
    prefix: str = Field(default="", max_length=1024)


class LinkIn(BaseModel):
    dataset: str = Field(min_length=1, max_length=100)
    path: str = Field(min_length=1, max_length=255)

    @field_validator("path")
    @classmethod
    def _path(cls, path: str) -> str:
        path = path.strip("/")
        if not valid_path(path):
            raise ValueError("must be a relative path inside the workspace, without '..'")
        return path


def dataset_out(dataset: Dataset) -> dict:
    return {
        "id": dataset.id, "name": dataset.name, "kind": dataset.kind, "bucket": dataset.bucket,
        "prefix": dataset.prefix, "endpoint_url": dataset.endpoint_url, "region": dataset.region,
        "access_key_id": dataset.access_key_id, "secret_access_key": REDACTED,
        "status": dataset.status, "error": dataset.error,
        "objects_total": dataset.objects_total, "objects_synced": dataset.objects_synced,
        "bytes_total": dataset.bytes_total, "bytes_synced": dataset.bytes_synced,
        "objects_transferred": dataset.objects_transferred, "version": dataset.version,
        "synced_at": iso_or_none(dataset.synced_at), "created_at": iso(dataset.created_at),
    }


def _dataset(session: Session, caller: Caller, ref: str) -> Dataset:
    return owned(session, Dataset, caller.user.id, ref, "dataset", by_name=True)


@router.post("/datasets", status_code=201)
def create(body: DatasetIn, request: Request, caller: Caller = Depends(get_caller),
           session: Session = Depends(get_session)) -> dict:
    dataset = Dataset(owner_id=caller.user.id, name=body.name, kind=body.kind, bucket=body.bucket,
                      prefix=body.prefix, endpoint_url=body.endpoint_url, region=body.region,
                      access_key_id=body.access_key_id,
                      secret_encrypted=request.app.state.secretbox.encrypt(body.secret_access_key),
                      status="pending", objects_total=0, objects_synced=0, bytes_total=0, bytes_synced=0,
                      objects_transferred=0, version=0)
    session.add(dataset)
    session.commit()
    request.app.state.syncer.request(dataset.id)
    return dataset_out(dataset)


@router.get("/datasets")
def list_datasets(caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> list[dict]:
    return [dataset_out(d) for d in session.scalars(select(Dataset).where(Dataset.owner_id == caller.user.id)
                                                    .order_by(Dataset.created_at, Dataset.id))]


@router.get("/datasets/{ref}")
def inspect(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> dict:
    return dataset_out(_dataset(session, caller, ref))


@router.post("/datasets/{ref}/sync", status_code=202)
def sync(ref: str, request: Request, caller: Caller = Depends(get_caller),
         session: Session = Depends(get_session)) -> dict:
    dataset = _dataset(session, caller, ref)
    request.app.state.syncer.request(dataset.id)
    return dataset_out(dataset)


@router.delete("/datasets/{ref}", status_code=204)
def remove(ref: str, force: bool = Query(False), caller: Caller = Depends(get_caller),
           session: Session = Depends(get_session)) -> Response:
    dataset = _dataset(session, caller, ref)
    linked = session.scalars(select(ProjectDataset.project_id).where(ProjectDataset.dataset_id == dataset.id)).all()
    if linked and not force:
        raise HTTPException(409, f"dataset {dataset.name} is linked to {len(linked)} project(s): unlink it first, "
                                 "or remove it with --force")
    session.execute(delete(ProjectDataset).where(ProjectDataset.dataset_id == dataset.id))
    session.delete(dataset)
    session.commit()
    return Response(status_code=204)


# Declared before the projects router: its "/projects/{ref:path}" would take these paths.
@router.post("/projects/{ref:path}/datasets", response_model=ProjectOut)
def link(ref: str, body: LinkIn, caller: Caller = Depends(get_caller),
         session: Session = Depends(get_session)) -> ProjectOut:
    project = resolve_project(session, caller, ref)
    dataset = _dataset(session, caller, body.dataset)
    clash = session.scalar(select(ProjectDataset).where(ProjectDataset.project_id == project.id,
                                                        ProjectDataset.path == body.path,
                                                        ProjectDataset.dataset_id != dataset.id))
    if clash is not None:
        raise HTTPException(409, f"another dataset is linked at {body.path} in project {project.name}")
    session.merge(ProjectDataset(project_id=project.id, dataset_id=dataset.id, path=body.path))
    session.commit()
    return project_out(project, caller.user.name, session)


@router.delete("/projects/{ref:path}/datasets/{dataset_ref}", response_model=ProjectOut)
def unlink(ref: str, dataset_ref: str, caller: Caller = Depends(get_caller),
           session: Session = Depends(get_session)) -> ProjectOut:
    project = resolve_project(session, caller, ref)
    dataset = _dataset(session, caller, dataset_ref)
    session.execute(delete(ProjectDataset).where(ProjectDataset.project_id == project.id,
                                                 ProjectDataset.dataset_id == dataset.id))
    session.commit()
    return project_out(project, caller.user.name, session)
