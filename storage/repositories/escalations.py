from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Escalation, EscalationSetting
from storage.repositories._upsert import get_or_create


def of_conversation(session: Session, conversation_id: int) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.conversation_id == conversation_id)
            .order_by(Escalation.id)
        )
    )


def pending(session: Session, conversation_id: int) -> list[Escalation]:
    """Escalations no manager has taken over yet."""
    return [e for e in of_conversation(session, conversation_id) if e.taken_over_by is None]


def setting(session: Session, workspace_id: int) -> EscalationSetting | None:
    return session.scalar(
        select(EscalationSetting).where(EscalationSetting.workspace_id == workspace_id)
    )


def ensure_setting(session: Session, workspace_id: int) -> EscalationSetting:
    row, _ = get_or_create(
        session,
        lambda: setting(session, workspace_id),
        lambda: EscalationSetting(workspace_id=workspace_id),
    )
    return row
