"""Reading the audit log: who did what, when (number and role changes, assignments,
opt-outs and opt-ins), filtered by number, contact, member and date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound
from bot.phones import parse_phone
from bot.services.admin import check_user_id
from storage.repositories import audit, workspaces

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any] | None


class AuditLogService:
    def __init__(self, *, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def entries(
        self,
        *,
        team_id: str,
        number: str | None = None,
        contact: str | None = None,
        member: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[AuditLine]:
        """Entries oldest first; `since`/`until` are whole UTC days, both included.
        Raises InvalidInput naming the filter that is wrong."""
        start = _day(since, "since")
        end = _day(until, "until")
        if start and end and start > end:
            raise InvalidInput(f"--since {since} is after --until {until}.", field="since")
        where = audit.AuditFilter(
            number_e164=parse_phone(number, field="number").e164 if number else None,
            contact_e164=parse_phone(contact, field="contact").e164 if contact else None,
            member_id=check_user_id(member) if member else None,
            since=datetime.combine(start, time(), UTC) if start else None,
            until=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
        )
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            if workspace is None:
                raise NotFound(f"workspace {team_id} is not known here; install the app first.")
            return [
                AuditLine(e.created_at, e.actor, e.action, e.subject, e.detail)
                for e in audit.entries(session, workspace.id, where)
            ]


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        if not DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--{name} “{text}” is not a date like 2026-01-31.", field=name) from exc
