from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, select
from sqlalchemy.orm import Session

from storage.models import OptOut


def _in_force(contact_id: int, scopes: Sequence[str]) -> ColumnElement[bool]:
    return and_(
        OptOut.contact_id == contact_id,
        OptOut.scope.in_(list(scopes)),
        OptOut.lifted_at.is_(None),
    )


# In force for :contact_id in any of :scopes; shared by the statements every send runs.
IN_FORCE_FOR_PARAMS = and_(
    OptOut.contact_id == bindparam("contact_id"),
    OptOut.scope.in_(bindparam("scopes", expanding=True)),
    OptOut.lifted_at.is_(None),
)
_ACTIVE = (  # built once: every send checks it
    select(OptOut)
    .where(IN_FORCE_FOR_PARAMS)
    .order_by(OptOut.opted_out_at.desc())
    .limit(1)
)


def active(session: Session, *, contact_id: int, scopes: Sequence[str]) -> OptOut | None:
    """The latest opt-out in force for the contact in any of `scopes`."""
    return session.scalar(_ACTIVE, {"contact_id": contact_id, "scopes": list(scopes)})


def all_active(session: Session, *, contact_id: int, scopes: Sequence[str]) -> list[OptOut]:
    """Every opt-out in force in `scopes`, locked until commit (START lifts them all)."""
    return list(
        session.scalars(select(OptOut).where(_in_force(contact_id, scopes)).with_for_update())
    )


def for_scope(session: Session, *, contact_id: int, scope: str) -> OptOut | None:
    """The contact's row for `scope`, lifted or not, locked until commit."""
    return session.scalar(
        select(OptOut).where(OptOut.contact_id == contact_id, OptOut.scope == scope)
        .with_for_update()
    )


def lift(rows: Sequence[OptOut], *, keyword: str, now: datetime) -> None:
    for row in rows:
        row.lifted_at = now
        row.lifted_by = keyword
