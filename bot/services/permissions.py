"""Who may send from which number (DESIGN §4 "Who may send")."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import Role
from storage.repositories import numbers, roles


def may_send_from(session: Session, *, workspace_id: int, user_id: str, number_id: int) -> bool:
    """Members send from numbers assigned to them; managers from any number of the workspace."""
    if numbers.assignment(session, number_id, user_id) is not None:
        return True
    return Role.MANAGER in roles.roles_of(session, workspace_id, user_id)
