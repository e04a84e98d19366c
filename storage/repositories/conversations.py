from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Conversation, ConversationStatus, Workspace, utcnow
from storage.repositories._upsert import insert_ignoring_conflict


def _for_pair(session: Session, number_id: int, contact_id: int) -> Conversation | None:
    return session.scalar(
        select(Conversation)
        .where(Conversation.number_id == number_id, Conversation.contact_id == contact_id)
        .with_for_update()
    )


def ensure_locked(
    session: Session, *, workspace_id: int, number_id: int, contact_id: int, channel_id: str,
    now: datetime | None = None,
) -> Conversation:
    """The conversation row, locked until commit: writes to one conversation serialize,
    so its outbox items commit in id order. A row this transaction inserted is locked by
    that insert (a concurrent inserter of the same pair waits on the unique key)."""
    conversation = _for_pair(session, number_id, contact_id)
    if conversation is None:
        now = now or utcnow()
        conversation = insert_ignoring_conflict(
            session, Conversation,
            {"workspace_id": workspace_id, "number_id": number_id, "contact_id": contact_id,
             "channel_id": channel_id, "status": ConversationStatus.OPEN,
             "last_activity_at": now, "created_at": now},
            unique=["number_id", "contact_id"],
        ) or _for_pair(session, number_id, contact_id)
        assert conversation is not None
    return conversation


def by_thread(
    session: Session, workspace_id: int, channel_id: str, thread_ts: str
) -> Conversation | None:
    return session.scalar(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id,
            Conversation.channel_id == channel_id,
            Conversation.thread_ts == thread_ts,
        )
    )


def in_team_thread(
    session: Session, team_id: str, channel_id: str, thread_ts: str, *, lock: bool = False
) -> Conversation | None:
    """The conversation a Slack thread belongs to, found from the event's team in one query;
    `lock` holds it until commit (writes to one conversation serialize)."""
    statement = (
        select(Conversation)
        .join(Workspace, Workspace.id == Conversation.workspace_id)
        .where(
            Workspace.team_id == team_id,
            Conversation.channel_id == channel_id,
            Conversation.thread_ts == thread_ts,
        )
    )
    return session.scalar(statement.with_for_update(of=Conversation) if lock else statement)


def lock(session: Session, conversation_id: int) -> Conversation:
    conversation = session.scalar(
        select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    )
    assert conversation is not None
    return conversation
