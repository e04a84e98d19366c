"""The two checks every thread reply passes, in one query: is the author assigned to the
conversation's number, and is an opt-out from it in force for the contact."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from storage.models import NumberAssignment
from storage.repositories.optouts import IN_FORCE_FOR_PARAMS

_CHECKS = select(
    exists().where(
        NumberAssignment.number_id == bindparam("number_id"),
        NumberAssignment.slack_user_id == bindparam("user_id"),
    ),
    exists().where(IN_FORCE_FOR_PARAMS),
)


def assigned_and_opted_out(
    session: Session, *, number_id: int, user_id: str, contact_id: int, scopes: Sequence[str]
) -> tuple[bool, bool]:
    row = session.execute(_CHECKS, {
        "number_id": number_id, "user_id": user_id, "contact_id": contact_id,
        "scopes": list(scopes),
    }).one()
    return bool(row[0]), bool(row[1])
