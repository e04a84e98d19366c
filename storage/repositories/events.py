from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import ProcessedEvent


def first_time(session: Session, *keys: str) -> bool:
    """Record `keys`; False if any was recorded before (a retry or duplicate delivery)."""
    try:
        with session.begin_nested():
            session.add_all(ProcessedEvent(key=key) for key in keys)
    except IntegrityError:
        return False
    return True
