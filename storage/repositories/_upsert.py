"""Find-or-create that is safe under concurrent writers on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def get_or_create(
    session: Session, find: Callable[[], T | None], make: Callable[[], T]
) -> tuple[T, bool]:
    """Return (row, created). A unique-key race is settled inside a savepoint."""
    found = find()
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            row = make()
            session.add(row)
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found, False
    return row, True


def dialect_insert(session: Session, model: type) -> Any:
    """The INSERT construct of the session's dialect, which knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(model)
    return sqlite_insert(model)


def insert_ignoring_conflict(
    session: Session, model: type[T], values: dict[str, Any], *, unique: list[str]
) -> T | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING the row: one statement, no savepoint, safe
    under races. None when another writer's row already held the key. The statement is built
    once per model and dialect; the values travel as parameters."""
    key = (session.get_bind().dialect.name, model, tuple(unique))
    statement = _INSERTS.get(key)
    if statement is None:
        statement = dialect_insert(session, model).on_conflict_do_nothing(index_elements=unique)
        statement = _INSERTS[key] = statement.returning(model)
    return session.scalars(statement, [values]).first()


_INSERTS: dict[tuple[str, type, tuple[str, ...]], Any] = {}
