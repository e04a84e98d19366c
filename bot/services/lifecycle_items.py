"""Outbox items for the conversation lifecycle (issue 5): card, notes, escalation notices.

Card and notes ride the conversation's Slack lane, so they follow the texts already owed
to the thread; a card item re-renders the current state, so repeats converge."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import outbox_items
from bot.services.deliveries.kinds import Kind, escalation_lane, inbound_lane
from storage.models import Conversation
from storage.repositories import outbox


def card_update(session: Session, conversation: Conversation, *, now: datetime) -> int:
    return outbox.add(
        session, workspace_id=conversation.workspace_id, kind=Kind.SLACK_CARD,
        lane=inbound_lane(conversation.id), payload={"conversation_id": conversation.id},
        now=now,
    )


def thread_note(session: Session, conversation: Conversation, *, text: str, now: datetime) -> int:
    return outbox_items.thread_note(
        session, workspace_id=conversation.workspace_id, conversation_id=conversation.id,
        key=f"note:{uuid.uuid4().hex}", text=text, refresh_root=False, now=now,
    )


def thread_notice(
    session: Session, conversation: Conversation, *, user: str, text: str, now: datetime
) -> int:
    """An ephemeral in the thread, after what the lane already owes it (the thread exists)."""
    payload = {"channel": conversation.channel_id, "user": user, "text": text,
               "thread_ts": conversation.thread_ts}
    return outbox.add(
        session, workspace_id=conversation.workspace_id, kind=Kind.SLACK_NOTICE,
        lane=inbound_lane(conversation.id), payload=payload, now=now,
    )


def escalation_notices(
    session: Session, conversation: Conversation, *, escalation_id: int, now: datetime
) -> int:
    """Post (once) or re-render the DMs and channel post of one escalation."""
    return outbox.add(
        session, workspace_id=conversation.workspace_id, kind=Kind.SLACK_ESCALATION,
        lane=escalation_lane(conversation.id), payload={"escalation_id": escalation_id},
        now=now,
    )
