from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Message


def by_twilio_sid(session: Session, sid: str) -> Message | None:
    return session.scalar(select(Message).where(Message.twilio_sid == sid))


def by_slack_ts(session: Session, conversation_id: int, ts: str) -> Message | None:
    return session.scalar(
        select(Message).where(Message.conversation_id == conversation_id, Message.slack_ts == ts)
    )


def known_sids(session: Session, sids: list[str]) -> set[str]:
    if not sids:
        return set()
    return set(session.scalars(select(Message.twilio_sid).where(Message.twilio_sid.in_(sids))))


def get_locked(session: Session, message_id: int) -> Message | None:
    return session.scalar(select(Message).where(Message.id == message_id).with_for_update())
