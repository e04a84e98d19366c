"""The workspace a request acts on: every row is scoped to one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.errors import NotFound
from storage.models import Workspace
from storage.repositories import workspaces


def workspace_of(session: Session, team_id: str) -> Workspace:
    workspace = workspaces.by_team(session, team_id)
    if workspace is None:
        raise NotFound(f"workspace {team_id} is not known here; install the app first.")
    return workspace
