"""A customer's MMS media, recorded with the message so the outbox copies it into Slack."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.media_types import filename_for, normalize
from storage.repositories import media as media_rows


@dataclass(frozen=True)
class InboundMedia:
    url: str
    content_type: str


def record(
    session: Session, *, message_id: int, media: Sequence[InboundMedia], now: datetime
) -> None:
    """One pending row per file, named for people (`photo-1.jpg`) in the customer's order."""
    for position, item in enumerate(media):
        media_rows.add(
            session, message_id=message_id, position=position,
            content_type=normalize(item.content_type),
            filename=filename_for(item.content_type, position), source_url=item.url, now=now,
        )
