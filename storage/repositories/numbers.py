from __future__ import annotations

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from storage.models import Contact, NumberAssignment, SmsNumber

# Statements on every inbound text and reply are built once: building one costs more than
# running it (bound parameters carry the values).
_BY_E164 = select(SmsNumber).where(SmsNumber.e164 == bindparam("e164"))
_ASSIGNMENT = select(NumberAssignment).where(
    NumberAssignment.number_id == bindparam("number_id"),
    NumberAssignment.slack_user_id == bindparam("user_id"),
)


_WITH_SENDER = (
    select(SmsNumber, Contact)
    .outerjoin(Contact, and_(
        Contact.workspace_id == SmsNumber.workspace_id, Contact.e164 == bindparam("sender"),
    ))
    .where(SmsNumber.e164 == bindparam("e164"))
)


def with_sender(
    session: Session, e164: str, sender: str
) -> tuple[SmsNumber | None, Contact | None]:
    """The texted number and, when known in its workspace, the contact texting it: one
    query on every inbound text."""
    row = session.execute(_WITH_SENDER, {"e164": e164, "sender": sender}).first()
    return (None, None) if row is None else (row[0], row[1])


def by_e164(session: Session, e164: str) -> SmsNumber | None:
    return session.scalar(_BY_E164, {"e164": e164})


def by_channel(session: Session, workspace_id: int, channel_id: str) -> list[SmsNumber]:
    return list(
        session.scalars(
            select(SmsNumber).where(
                SmsNumber.workspace_id == workspace_id, SmsNumber.channel_id == channel_id
            )
        )
    )


def in_workspace(session: Session, workspace_id: int) -> list[SmsNumber]:
    return list(
        session.scalars(
            select(SmsNumber).where(SmsNumber.workspace_id == workspace_id).order_by(SmsNumber.e164)
        )
    )


def assignments(session: Session, number_id: int) -> list[NumberAssignment]:
    return list(
        session.scalars(
            select(NumberAssignment)
            .where(NumberAssignment.number_id == number_id)
            .order_by(NumberAssignment.slack_user_id)
        )
    )


def assignment(session: Session, number_id: int, user_id: str) -> NumberAssignment | None:
    return session.scalar(_ASSIGNMENT, {"number_id": number_id, "user_id": user_id})


def clear_default(session: Session, workspace_id: int, user_id: str) -> None:
    """A member has at most one default number per workspace."""
    numbers = select(SmsNumber.id).where(SmsNumber.workspace_id == workspace_id)
    session.execute(
        update(NumberAssignment)
        .where(NumberAssignment.slack_user_id == user_id, NumberAssignment.number_id.in_(numbers))
        .values(is_default=False)
    )
