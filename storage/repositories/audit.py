from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import AuditEntry


def record(
    session: Session,
    *,
    workspace_id: int,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    number_e164: str | None = None,
    contact_e164: str | None = None,
    member_id: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            workspace_id=workspace_id, actor=actor, action=action, subject=subject, detail=detail,
            number_e164=number_e164, contact_e164=contact_e164, member_id=member_id,
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    number_e164: str | None = None
    contact_e164: str | None = None
    member_id: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def entries(session: Session, workspace_id: int, where: AuditFilter) -> list[AuditEntry]:
    """Entries matching every given filter, oldest first. A number or member also matches
    entries that name it as their subject (number and role changes)."""
    query = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if where.number_e164:
        number = where.number_e164
        query = query.where(or_(AuditEntry.number_e164 == number, AuditEntry.subject == number))
    if where.contact_e164:
        query = query.where(AuditEntry.contact_e164 == where.contact_e164)
    if where.member_id:
        query = query.where(
            or_(
                AuditEntry.member_id == where.member_id,
                AuditEntry.actor == where.member_id,
                AuditEntry.subject == where.member_id,
            )
        )
    if where.since:
        query = query.where(AuditEntry.created_at >= where.since)
    if where.until:
        query = query.where(AuditEntry.created_at < where.until)
    return list(session.scalars(query.order_by(AuditEntry.created_at, AuditEntry.id)))
