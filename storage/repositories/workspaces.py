from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Workspace
from storage.repositories._upsert import get_or_create


def by_team(session: Session, team_id: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.team_id == team_id))


def ensure(session: Session, team_id: str, name: str | None = None) -> Workspace:
    workspace, _ = get_or_create(
        session, lambda: by_team(session, team_id), lambda: Workspace(team_id=team_id, name=name)
    )
    if name and workspace.name != name:
        workspace.name = name
    return workspace
