"""MMS media rows: one per file of a message, updated step by step as it travels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import MediaState, Message, MessageMedia, Workspace


def add(
    session: Session, *, message_id: int, position: int, content_type: str, filename: str,
    source_url: str | None, size: int | None = None, slack_file_id: str | None = None,
    now: datetime,
) -> MessageMedia:
    row = MessageMedia(
        message_id=message_id, position=position, content_type=content_type, filename=filename,
        source_url=source_url, size=size, slack_file_id=slack_file_id,
        state=MediaState.PENDING, created_at=now,
    )
    session.add(row)
    return row


def for_message(session: Session, message_id: int) -> list[MessageMedia]:
    return list(
        session.scalars(
            select(MessageMedia)
            .where(MessageMedia.message_id == message_id)
            .order_by(MessageMedia.position)
        )
    )


def has_media(session: Session, message_id: int) -> bool:
    return session.scalar(
        select(MessageMedia.id).where(MessageMedia.message_id == message_id).limit(1)
    ) is not None


def set_fields(session: Session, media_id: int, **values: Any) -> None:
    session.execute(
        update(MessageMedia).where(MessageMedia.id == media_id).values(**values)
        .execution_options(synchronize_session=False)
    )


def expired(session: Session, *, now: datetime, limit: int) -> list[MessageMedia]:
    """Stored outbound files past their expiry: to delete from disk."""
    return list(
        session.scalars(
            select(MessageMedia)
            .where(MessageMedia.state == MediaState.STORED, MessageMedia.expires_at < now)
            .order_by(MessageMedia.id)
            .limit(limit)
        )
    )


def finished_inbound_files(session: Session, *, limit: int) -> list[MessageMedia]:
    """Inbound files already shared in Slack (or given up on) whose local copy remains."""
    return list(
        session.scalars(
            select(MessageMedia)
            .where(
                MessageMedia.state.in_([MediaState.SHARED, MediaState.FAILED]),
                MessageMedia.local_path.is_not(None),
            )
            .order_by(MessageMedia.id)
            .limit(limit)
        )
    )


def team_of(session: Session, message_id: int) -> str | None:
    """The Slack team of the workspace a message belongs to (media links are bound to it)."""
    return session.scalar(
        select(Workspace.team_id)
        .join(Message, Message.workspace_id == Workspace.id)
        .where(Message.id == message_id)
    )
