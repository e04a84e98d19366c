from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage.models import Conversation, ConversationStatus, SmsNumber, Workspace, utcnow
from storage.repositories._upsert import insert_ignoring_conflict

# Statements on every inbound text and reply are built once (bound parameters carry values).
_FOR_PAIR = (
    select(Conversation)
    .where(
        Conversation.number_id == bindparam("number_id"),
        Conversation.contact_id == bindparam("contact_id"),
    )
    .with_for_update()
)
_IN_TEAM_THREAD = (
    select(Conversation, SmsNumber)
    .join(Workspace, Workspace.id == Conversation.workspace_id)
    .join(SmsNumber, SmsNumber.id == Conversation.number_id)
    .where(
        Workspace.team_id == bindparam("team_id"),
        Conversation.channel_id == bindparam("channel_id"),
        Conversation.thread_ts == bindparam("thread_ts"),
    )
)
_IN_TEAM_THREAD_LOCKED = _IN_TEAM_THREAD.with_for_update(of=Conversation)


def _for_pair(session: Session, number_id: int, contact_id: int) -> Conversation | None:
    return session.scalar(_FOR_PAIR, {"number_id": number_id, "contact_id": contact_id})


def ensure_locked(
    session: Session, *, workspace_id: int, number_id: int, contact_id: int, channel_id: str,
    now: datetime | None = None, contact_is_new: bool = False,
) -> Conversation:
    """The conversation row, locked until commit: writes to one conversation serialize,
    so its outbox items commit in id order. A row this transaction inserted is locked by
    that insert (a concurrent inserter of the same pair waits on the unique key). A contact
    this transaction added has no conversation yet: no lookup for it."""
    conversation = None if contact_is_new else _for_pair(session, number_id, contact_id)
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
) -> tuple[Conversation, SmsNumber] | None:
    """The conversation a Slack thread belongs to, and its number, found from the event's
    team in one query; `lock` holds the conversation until commit (writes to one
    conversation serialize)."""
    row = session.execute(
        _IN_TEAM_THREAD_LOCKED if lock else _IN_TEAM_THREAD,
        {"team_id": team_id, "channel_id": channel_id, "thread_ts": thread_ts},
    ).first()
    return None if row is None else (row[0], row[1])


def lock(session: Session, conversation_id: int) -> Conversation:
    conversation = session.scalar(
        select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    )
    assert conversation is not None
    return conversation
