from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import SlackPost
from storage.repositories._upsert import get_or_create


def ensure(session: Session, *, workspace_id: int, key: str, channel_id: str) -> SlackPost:
    post, _ = get_or_create(
        session,
        lambda: session.scalar(select(SlackPost).where(SlackPost.key == key).with_for_update()),
        lambda: SlackPost(workspace_id=workspace_id, key=key, channel_id=channel_id),
    )
    return post


def record_ts(session: Session, key: str, ts: str) -> None:
    session.execute(update(SlackPost).where(SlackPost.key == key).values(ts=ts))
