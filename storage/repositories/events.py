from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.models import ProcessedEvent, utcnow
from storage.repositories._upsert import dialect_insert

_TABLE: Any = ProcessedEvent.__table__


def first_time(session: Session, *keys: str) -> bool:
    """Record `keys`; False if any was recorded before (a retry or duplicate delivery).
    One INSERT … ON CONFLICT DO NOTHING: a key it adds beside an old one is harmless."""
    now = utcnow()
    statement = (
        dialect_insert(session, _TABLE)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_TABLE.c.key)
    )
    rows = session.execute(statement, [{"key": key, "created_at": now} for key in keys])
    return len(rows.scalars().all()) == len(set(keys))
