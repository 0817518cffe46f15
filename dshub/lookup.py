"""Finding the one object a user means: by ID, a unique ID prefix (like docker), or a name."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dshub.errors import Ambiguous, NotFound


def lookup(session: Session, scope: Select, model, ref: str, kind: str, *, by_prefix: bool = True,
           by_name: bool = False, where: str = ""):
    """The object of `scope` (a SELECT of `model`) that `ref` names.

    An exact ID wins; else a unique ID prefix (when `by_prefix`); else an exact
    name (when `by_name`). None: NotFound (404). Several: Ambiguous (409) with
    their IDs, oldest first.
    """
    found = session.scalar(scope.where(model.id == ref))
    if found is not None:
        return found

    def matching(condition) -> list:
        return list(session.scalars(scope.where(condition).order_by(model.created_at, model.id).limit(10)))

    matches = matching(model.id.startswith(ref, autoescape=True)) if by_prefix and ref else []
    if not matches and by_name:
        matches = matching(model.name == ref)
    names_only = by_name and not by_prefix
    if not matches:
        raise NotFound(f"no {kind}{' named' if names_only else ''} '{ref}'{where}")
    if len(matches) > 1:
        ids = [m.id for m in matches]
        what, hint = (f"{kind} name", "use an ID") if names_only else (kind, "give more of the ID")
        raise Ambiguous(f"{what} '{ref}' is ambiguous: it matches {', '.join(ids)}; {hint}", ids)
    return matches[0]


def owned(session: Session, model, owner_id: str, ref: str, kind: str, *, by_name: bool = False):
    """One of the owner's objects by ID, unique ID prefix or (with `by_name`) name; others' don't exist."""
    return lookup(session, select(model).where(model.owner_id == owner_id), model, ref, kind, by_name=by_name)
