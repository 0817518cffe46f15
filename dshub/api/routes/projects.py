"""Projects: each belongs to one user; others get 404, as if it did not exist."""

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.api.deps import Caller, get_caller, get_session
from dshub.lookup import lookup
from dshub.models import Dataset, Project, ProjectDataset
from dshub.schemas import DatasetLink, ProjectIn, ProjectOut, iso

router = APIRouter(prefix="/projects", tags=["projects"])


def dataset_links(session: Session, project_ids: list[str]) -> dict[str, list[DatasetLink]]:
    """Linked datasets of several projects, in one query."""
    links: dict[str, list[DatasetLink]] = {}
    if project_ids:
        rows = session.execute(
            select(ProjectDataset.project_id, Dataset.id, Dataset.name, ProjectDataset.path)
            .join(Dataset, Dataset.id == ProjectDataset.dataset_id)
            .where(ProjectDataset.project_id.in_(project_ids)).order_by(ProjectDataset.path))
        for project_id, dataset_id, name, path in rows:
            links.setdefault(project_id, []).append(DatasetLink(dataset_id=dataset_id, name=name, path=path))
    return links


def project_out(project: Project, owner: str, session: Session | None = None,
                links: list[DatasetLink] | None = None) -> ProjectOut:
    """A project; `dots` counts its workspace plus one per linked dataset."""
    if links is None:
        links = dataset_links(session, [project.id]).get(project.id, []) if session is not None else []
    return ProjectOut(
        id=project.id, name=project.name, owner=owner, dots=1 + len(links), collaborators=[], datasets=links,
        created_at=iso(project.created_at),
    )


def resolve_project(session: Session, caller: Caller, ref: str) -> Project:
    """A project of the caller's by exact ID, else by exact name (which must be unique)."""
    mine = select(Project).where(Project.owner_id == caller.user.id)
    return lookup(session, mine, Project, ref, "project", by_prefix=False, by_name=True)


@router.post("", response_model=ProjectOut, status_code=201)
def create_project(body: ProjectIn, caller: Caller = Depends(get_caller),
                   session: Session = Depends(get_session)) -> ProjectOut:
    project = Project(owner_id=caller.user.id, name=body.name)
    session.add(project)
    session.commit()
    return project_out(project, caller.user.name, links=[])


@router.get("", response_model=list[ProjectOut])
def list_projects(caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> list[ProjectOut]:
    projects = session.scalars(
        select(Project).where(Project.owner_id == caller.user.id).order_by(Project.created_at, Project.id)
    )
    projects = list(projects)
    links = dataset_links(session, [p.id for p in projects])
    return [project_out(p, caller.user.name, links=links.get(p.id, [])) for p in projects]


# `:path` so that names with '/' in them resolve too.
@router.get("/{ref:path}", response_model=ProjectOut)
def get_project(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> ProjectOut:
    return project_out(resolve_project(session, caller, ref), caller.user.name, session)


@router.delete("/{ref:path}", status_code=204)
def delete_project(ref: str, caller: Caller = Depends(get_caller), session: Session = Depends(get_session)) -> Response:
    session.delete(resolve_project(session, caller, ref))
    session.commit()
    return Response(status_code=204)
