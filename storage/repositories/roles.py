from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import MemberRole
from storage.repositories._upsert import get_or_create


def roles_of(session: Session, workspace_id: int, user_id: str) -> set[str]:
    rows = session.scalars(
        select(MemberRole.role).where(
            MemberRole.workspace_id == workspace_id, MemberRole.slack_user_id == user_id
        )
    )
    return set(rows)


def grant(
    session: Session, workspace_id: int, user_id: str, role: str, granted_by: str | None
) -> bool:
    """Grant `role`; False when the member already had it."""
    _, created = get_or_create(
        session,
        lambda: session.scalar(
            select(MemberRole).where(
                MemberRole.workspace_id == workspace_id,
                MemberRole.slack_user_id == user_id,
                MemberRole.role == role,
            )
        ),
        lambda: MemberRole(
            workspace_id=workspace_id, slack_user_id=user_id, role=role, granted_by=granted_by
        ),
    )
    return created


def members_with(session: Session, workspace_id: int, role: str) -> list[str]:
    return list(
        session.scalars(
            select(MemberRole.slack_user_id)
            .where(MemberRole.workspace_id == workspace_id, MemberRole.role == role)
            .order_by(MemberRole.slack_user_id)
        )
    )


def revoke(session: Session, workspace_id: int, user_id: str, role: str) -> bool:
    """Revoke `role`; False when the member did not have it."""
    result = session.execute(
        delete(MemberRole).where(
            MemberRole.workspace_id == workspace_id,
            MemberRole.slack_user_id == user_id,
            MemberRole.role == role,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def all_roles(session: Session, workspace_id: int) -> list[tuple[str, str]]:
    """(user id, role) pairs of the workspace."""
    rows = session.execute(
        select(MemberRole.slack_user_id, MemberRole.role)
        .where(MemberRole.workspace_id == workspace_id)
        .order_by(MemberRole.role, MemberRole.slack_user_id)
    )
    return [(user, role) for user, role in rows]
