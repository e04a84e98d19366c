from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import ProcessedEvent, utcnow
from storage.repositories._upsert import dialect_insert


def first_time(session: Session, *keys: str) -> bool:
    """Record `keys`; False if any was recorded before (a retry or duplicate delivery).
    One INSERT … ON CONFLICT DO NOTHING: a key it adds beside an old one is harmless."""
    now = utcnow()
    statement = (
        dialect_insert(session, ProcessedEvent)
        .values([{"key": key, "created_at": now} for key in keys])
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ProcessedEvent.key)
    )
    return len(session.scalars(statement).all()) == len(set(keys))
