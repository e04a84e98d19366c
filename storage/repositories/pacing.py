"""Per-channel Slack posting slots, kept in the database so every process shares them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ChannelPace
from storage.repositories._upsert import get_or_create


def reserve(session: Session, key: str, *, now: datetime, interval: float) -> datetime | None:
    """Take the channel's next slot if it is free now (returns None), else return when it is.

    A post that wakes a little after its slot books the following slot from the slot, not
    from `now`, so wake-up latency does not add up over a burst.
    """
    pace, created = get_or_create(
        session,
        lambda: session.scalar(select(ChannelPace).where(ChannelPace.key == key).with_for_update()),
        lambda: ChannelPace(key=key, next_post_at=now + timedelta(seconds=interval)),
    )
    if created:
        return None
    if pace.next_post_at > now:
        return pace.next_post_at
    step = timedelta(seconds=interval)
    base = pace.next_post_at if now - pace.next_post_at < step else now
    pace.next_post_at = base + step
    return None


def hold_off(session: Session, key: str, *, until: datetime) -> None:
    """Slack said 429: nobody posts into the channel before `until`."""
    pace, _ = get_or_create(
        session,
        lambda: session.scalar(select(ChannelPace).where(ChannelPace.key == key).with_for_update()),
        lambda: ChannelPace(key=key, next_post_at=until),
    )
    pace.next_post_at = max(pace.next_post_at, until)
