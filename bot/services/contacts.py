"""External contacts: people add and edit them (modal, CSV import); texts create them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound
from bot.phones import parse_phone
from storage.models import Contact
from storage.repositories import audit, contacts, workspaces

MAX_NAME = 255
IMPORT_BATCH = 500


@dataclass(frozen=True)
class ContactDetails:
    id: int | None
    e164: str
    name: str | None
    company: str | None
    notes: str | None


@dataclass(frozen=True)
class SavedContact:
    contact: ContactDetails
    created: bool
    warnings: list[str]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def _clean(value: str | None, *, limit: int, field_name: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{field_name} is longer than {limit} characters.", field=field_name)
    return text or None


def details_from(row: Mapping[str, str | None]) -> tuple[ContactDetails, str | None]:
    """Validate one contact (modal or CSV row); returns it with a possible phone warning."""
    parsed = parse_phone(row.get("phone") or "", field="phone")
    return ContactDetails(
        id=None,
        e164=parsed.e164,
        name=_clean(row.get("name"), limit=MAX_NAME, field_name="name"),
        company=_clean(row.get("company"), limit=MAX_NAME, field_name="company"),
        notes=_clean(row.get("notes"), limit=4000, field_name="notes"),
    ), parsed.warning


class ContactService:
    def __init__(self, *, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def get(self, *, team_id: str, contact_id: int) -> ContactDetails:
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            contact = contacts.by_id(session, workspace.id, contact_id) if workspace else None
            if contact is None:
                raise NotFound("That contact no longer exists.")
            return _details(contact)

    def save(
        self, *, team_id: str, actor: str, contact_id: int | None, fields: Mapping[str, str | None]
    ) -> SavedContact:
        """Add a contact, or edit one (`contact_id`); a number already known is updated."""
        details, warning = details_from(fields)
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            if workspace is None:
                raise NotFound(f"workspace {team_id} is not known here; install the app first.")
            existing = contacts.by_e164(session, workspace.id, details.e164)
            if contact_id is not None:
                editing = contacts.by_id(session, workspace.id, contact_id)
                if editing is None:
                    raise InvalidInput("That contact no longer exists.", field="phone")
                if existing is not None and existing.id != editing.id:
                    raise InvalidInput(
                        f"{details.e164} is already the number of {existing.name or 'a contact'}.",
                        field="phone",
                    )
                existing = editing
                existing.e164 = existing.phone_key = details.e164
            contact, created = _upsert(session, workspace.id, details, existing)
            audit.record(
                session, workspace_id=workspace.id, actor=actor,
                action="contact.add" if created else "contact.edit", subject=str(contact.id),
            )
            return SavedContact(_details(contact), created, [warning] if warning else [])

    def import_rows(
        self, *, team_id: str, rows: Iterable[tuple[int, Mapping[str, str | None]]]
    ) -> ImportSummary:
        """Import (line number, row) pairs: good rows kept, bad ones reported by line.
        Rows are committed in batches so a large file never holds one long transaction."""
        summary = ImportSummary()
        batch: list[ContactDetails] = []
        for line, row in rows:
            try:
                batch.append(details_from(row)[0])
            except InvalidInput as exc:
                summary.bad_lines.append((line, str(exc)))
            if len(batch) >= IMPORT_BATCH:
                self._import_batch(team_id, batch, summary)
                batch = []
        self._import_batch(team_id, batch, summary)
        return summary

    def _import_batch(
        self, team_id: str, batch: list[ContactDetails], summary: ImportSummary
    ) -> None:
        if not batch:
            return
        with self.session_factory.begin() as session:
            workspace = workspaces.ensure(session, team_id)
            for details in batch:
                existing = contacts.by_e164(session, workspace.id, details.e164)
                _, created = _upsert(
                    session, workspace.id, details, existing, keep_known=True
                )
                if created:
                    summary.created += 1
                else:
                    summary.updated += 1


def _upsert(
    session: Session, workspace_id: int, details: ContactDetails, existing: Contact | None,
    *, keep_known: bool = False,
) -> tuple[Contact, bool]:
    """Write `details` over the contact; `keep_known` (imports) never blanks a known field."""
    contact = existing or Contact(workspace_id=workspace_id, e164=details.e164)
    if details.name or not keep_known:
        contacts.set_name(contact, details.name)
    if details.company or not keep_known:
        contact.company = details.company
    if details.notes or not keep_known:
        contact.notes = details.notes
    if existing is None:
        session.add(contact)
    session.flush()
    return contact, existing is None


def _details(contact: Contact) -> ContactDetails:
    return ContactDetails(
        id=contact.id, e164=contact.e164, name=contact.name, company=contact.company,
        notes=contact.notes,
    )
