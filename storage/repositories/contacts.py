from __future__ import annotations

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from storage.models import Contact, utcnow
from storage.repositories._search import search_key, starts_with
from storage.repositories._upsert import insert_ignoring_conflict

_BY_E164 = select(Contact).where(  # built once: it runs on every inbound text
    Contact.workspace_id == bindparam("workspace_id"), Contact.e164 == bindparam("e164")
)


def by_e164(session: Session, workspace_id: int, e164: str) -> Contact | None:
    return session.scalar(_BY_E164, {"workspace_id": workspace_id, "e164": e164})


def ensure(session: Session, workspace_id: int, e164: str) -> Contact:
    return find_or_add(session, workspace_id, e164)[0]


def find_or_add(session: Session, workspace_id: int, e164: str) -> tuple[Contact, bool]:
    """The contact for `e164`, and whether this transaction added it (so nothing can refer
    to it yet)."""
    contact = by_e164(session, workspace_id, e164)
    return (contact, False) if contact is not None else add_or_find(session, workspace_id, e164)


def add_or_find(session: Session, workspace_id: int, e164: str) -> tuple[Contact, bool]:
    """`find_or_add` for a number just looked up and not found: insert first."""
    now = utcnow()
    added = insert_ignoring_conflict(
        session, Contact,
        {"workspace_id": workspace_id, "e164": e164, "created_at": now, "updated_at": now},
        unique=["workspace_id", "e164"],
    )
    if added is not None:
        return added, True
    contact = by_e164(session, workspace_id, e164)  # another writer added it meanwhile
    assert contact is not None
    return contact, False


# --- issue 4: contact editing and picker search ---


def by_id(session: Session, workspace_id: int, contact_id: int) -> Contact | None:
    contact = session.get(Contact, contact_id)
    return contact if contact is not None and contact.workspace_id == workspace_id else None


def set_name(contact: Contact, name: str | None) -> None:
    """The name and its search key change together."""
    contact.name = name
    contact.name_key = search_key(name)


def name_prefix_query(workspace_id: int, prefix: str, limit: int) -> Select[Contact]:
    return (
        select(Contact)
        .where(Contact.workspace_id == workspace_id, starts_with(Contact.name_key, prefix))
        .order_by(Contact.name_key)
        .limit(limit)
    )


def phone_prefix_query(workspace_id: int, prefix: str, limit: int) -> Select[Contact]:
    return (
        select(Contact)
        .where(Contact.workspace_id == workspace_id, starts_with(Contact.phone_key, prefix))
        .order_by(Contact.phone_key)
        .limit(limit)
    )


def with_name_prefix(session: Session, workspace_id: int, prefix: str, limit: int) -> list[Contact]:
    return list(session.scalars(name_prefix_query(workspace_id, prefix, limit)))


def with_phone_prefix(
    session: Session, workspace_id: int, prefix: str, limit: int
) -> list[Contact]:
    return list(session.scalars(phone_prefix_query(workspace_id, prefix, limit)))


def by_name(session: Session, workspace_id: int, name: str, limit: int = 5) -> list[Contact]:
    """Contacts whose whole name is `name` (case-insensitive), for `/sms <name> text`."""
    key = search_key(name)
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.workspace_id == workspace_id, Contact.name_key == key)
            .limit(limit)
        )
    )
