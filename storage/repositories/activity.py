"""A member's recent SMS conversations: those where they sent a message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Direction, Message


def recent_conversation_ids(
    session: Session, workspace_id: int, user_id: str, limit: int
) -> list[int]:
    """Newest first, from the (workspace, sender, created_at) index."""
    rows = session.scalars(
        select(Message.conversation_id)
        .where(
            Message.workspace_id == workspace_id,
            Message.sender_user_id == user_id,
            Message.direction == Direction.OUTBOUND,
        )
        .order_by(Message.created_at.desc())
        .limit(limit * 10)
    )
    ordered: list[int] = []
    for conversation_id in rows:
        if conversation_id not in ordered:
            ordered.append(conversation_id)
    return ordered[:limit]


def latest_message(session: Session, conversation_id: int) -> Message | None:
    return session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.direction != Direction.NOTE)
        .order_by(Message.id.desc())
        .limit(1)
    )
