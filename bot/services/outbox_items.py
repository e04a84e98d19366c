"""Creating outbox items: each kind with its lane, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.deliveries.kinds import (
    Kind,
    chat_lane,
    inbound_lane,
    notice_lane,
    send_lane,
    status_lane,
)
from storage.repositories import outbox


def inbound_post(
    session: Session, *, workspace_id: int, conversation_id: int, message_id: int, now: datetime
) -> int:
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_INBOUND,
        lane=inbound_lane(conversation_id), message_id=message_id, now=now,
    )


def sms_send(
    session: Session, *, workspace_id: int, conversation_id: int, message_id: int, now: datetime
) -> int:
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.TWILIO_SEND,
        lane=send_lane(conversation_id), message_id=message_id, now=now,
    )


def status_update(session: Session, *, workspace_id: int, message_id: int, now: datetime) -> int:
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_STATUS,
        lane=status_lane(message_id), message_id=message_id, now=now,
    )


def notice(
    session: Session,
    *,
    workspace_id: int,
    team_id: str,
    channel: str,
    user: str,
    text: str,
    thread_ts: str | None,
    now: datetime,
) -> int:
    """An ephemeral message to one person (a refusal, a warning), delivered durably."""
    payload = {"channel": channel, "user": user, "text": text, "thread_ts": thread_ts}
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_NOTICE,
        lane=notice_lane(team_id, user), payload=payload, now=now,
    )


def thread_note(
    session: Session,
    *,
    workspace_id: int,
    conversation_id: int,
    key: str,
    text: str,
    refresh_root: bool,
    message_id: int | None = None,
    now: datetime,
) -> int:
    """The app's note in a conversation's thread, after what is already queued for it; with
    `message_id`, the note is that outbound message as shown in Slack."""
    payload = {
        "conversation_id": conversation_id, "key": key, "text": text, "refresh_root": refresh_root,
    }
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_THREAD_NOTE,
        lane=inbound_lane(conversation_id), message_id=message_id, payload=payload, now=now,
    )


# --- issue 4: compose ---


def outbound_echo(
    session: Session, *, workspace_id: int, conversation_id: int, message_id: int,
    confirm_user: str, confirm_channel: str | None, now: datetime,
) -> int:
    """A composed text shown in its conversation's thread (the root created first), in the
    same lane as inbound posts so the root is made once and the thread stays in order."""
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_OUTBOUND_ECHO,
        lane=inbound_lane(conversation_id), message_id=message_id,
        payload={"confirm_user": confirm_user, "confirm_channel": confirm_channel}, now=now,
    )


def confirm(
    session: Session, *, workspace_id: int, team_id: str, message_id: int, user: str,
    channel: str | None, text: str, now: datetime,
) -> int:
    """The sender's confirmation: ephemeral where they composed, else a DM."""
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_CONFIRM,
        lane=notice_lane(team_id, user), message_id=message_id,
        payload={"user": user, "channel": channel, "text": text}, now=now,
    )


def internal_chat(
    session: Session, *, workspace_id: int, team_id: str, sender: str, chat_id: int,
    now: datetime,
) -> int:
    return outbox.add(
        session, workspace_id=workspace_id, kind=Kind.SLACK_INTERNAL_CHAT,
        lane=chat_lane(team_id, sender), payload={"chat_id": chat_id}, now=now,
    )
