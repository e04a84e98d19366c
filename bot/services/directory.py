"""Who can be messaged: workspace members (chat) and external contacts (SMS).

The member directory is kept from `users.list` (on startup or first use, and from
`team_join`/`user_change` events); searches are prefix range scans on indexed keys.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput
from bot.gateways.slack import SlackGateway
from bot.phones import format_phone, parse_phone
from bot.services.scope import workspace_of
from storage.models import Contact, Member, Role
from storage.repositories import contacts, members, roles, workspaces
from storage.repositories._search import search_key

log = logging.getLogger(__name__)

MAX_OPTIONS = 100  # Slack's limit for an external_select answer
PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]{3,}$")
SLACKBOT = "USLACKBOT"


class RecipientKind(enum.StrEnum):
    MEMBER = "m"
    CONTACT = "c"
    PHONE = "p"  # a typed number that is not a contact yet


@dataclass(frozen=True)
class Recipient:
    kind: RecipientKind
    name: str
    user_id: str | None = None
    e164: str | None = None
    contact_id: int | None = None
    is_manager: bool = False

    @property
    def value(self) -> str:
        """The option value in the picker: kind and id, nothing else."""
        ident = self.user_id if self.kind is RecipientKind.MEMBER else (
            str(self.contact_id) if self.kind is RecipientKind.CONTACT else self.e164
        )
        return f"{self.kind.value}:{ident}"

    @property
    def is_external(self) -> bool:
        return self.kind is not RecipientKind.MEMBER


def member_name(member: Member) -> str:
    return member.real_name or member.display_name or member.handle


class DirectoryService:
    def __init__(
        self, *, session_factory: sessionmaker[Session], slack_for: Callable[[str], SlackGateway]
    ) -> None:
        self.session_factory = session_factory
        self.slack_for = slack_for

    # -- keeping the directory --------------------------------------------------------

    def sync(self, *, team_id: str) -> int:
        """Read every page of users.list into the directory; returns how many were seen."""
        seen = 0
        batch: list[Mapping[str, Any]] = []
        for user in self.slack_for(team_id).list_users():
            batch.append(user)
            if len(batch) >= 500:
                seen += self._store(team_id, batch)
                batch = []
        seen += self._store(team_id, batch)
        log.info("member directory of %s synced: %d users", team_id, seen)
        return seen

    def ensure_synced(self, *, team_id: str) -> None:
        """First use: an empty directory is filled before anyone searches it."""
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            if workspace is not None and members.any_in(session, workspace.id):
                return
        self.sync(team_id=team_id)

    def on_user(self, *, team_id: str, user: Mapping[str, Any]) -> None:
        """team_join / user_change: the event carries the whole user object."""
        self._store(team_id, [user])

    def _store(self, team_id: str, users: list[Mapping[str, Any]]) -> int:
        if not users:
            return 0
        with self.session_factory.begin() as session:
            workspace = workspaces.ensure(session, team_id)
            for user in users:
                _apply(members.ensure(session, workspace.id, str(user["id"])), user)
        return len(users)

    # -- finding people -----------------------------------------------------------------

    def search(self, *, team_id: str, query: str, limit: int = MAX_OPTIONS) -> list[Recipient]:
        """Members and contacts whose name (or phone) starts with `query`; a typed phone
        number that is no contact yet is offered first."""
        text = query.strip()
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            if workspace is None or not text:
                return []
            if PHONE_LIKE.match(text):
                return _phone_matches(session, workspace.id, text, limit)
            key = search_key(text) or ""
            managers = set(roles.members_with(session, workspace.id, Role.MANAGER))
            found = [
                (m.search_key, _member(m, managers))
                for m in members.with_prefix(session, workspace.id, key, limit)
            ] + [
                (c.name_key or "", _contact(c))
                for c in contacts.with_name_prefix(session, workspace.id, key, limit)
            ]
        found.sort(key=lambda pair: (pair[0] != key, pair[0], pair[1].kind.value))
        return [recipient for _, recipient in found[:limit]]

    def resolve(self, *, team_id: str, value: str) -> Recipient:
        """A picker value back into a recipient (checked again: it came from the client)."""
        kind, _, ident = value.partition(":")
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            if kind == RecipientKind.MEMBER:
                member = members.by_user(session, workspace.id, ident)
                if member is None or member.deleted or member.is_bot:
                    raise InvalidInput("That person is not a member here.", field="recipient")
                managers = set(roles.members_with(session, workspace.id, Role.MANAGER))
                return _member(member, managers)
            if kind == RecipientKind.CONTACT and ident.isdigit():
                contact = contacts.by_id(session, workspace.id, int(ident))
                if contact is None:
                    raise InvalidInput("That contact no longer exists.", field="recipient")
                return _contact(contact)
            if kind == RecipientKind.PHONE:
                e164 = parse_phone(ident, field="recipient").e164
                contact = contacts.by_e164(session, workspace.id, e164)
                return _contact(contact) if contact else _phone(e164)
        raise InvalidInput("Choose who to message.", field="recipient")

    def find(self, *, team_id: str, name: str) -> list[Recipient]:
        """Recipients whose whole name (or @handle) is `name`, for `/sms <name> text`."""
        key = search_key(name.lstrip("@")) or ""
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            managers = set(roles.members_with(session, workspace.id, Role.MANAGER))
            people = [
                _member(m, managers)
                for m in members.with_prefix(session, workspace.id, key, 20)
                if key in (m.search_key, m.handle_key)
            ]
            return people + [_contact(c) for c in contacts.by_name(session, workspace.id, name)]

    def names(self, *, team_id: str, user_ids: list[str]) -> dict[str, str]:
        """Display names for user ids (a user missing from the directory keeps their id)."""
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            found = members.by_users(session, workspace.id, user_ids)
        return {u: member_name(found[u]) if u in found else u for u in user_ids}


def admin_names(session: Session, workspace_id: int) -> list[str]:
    """The admins by name, for "ask …" (a mention when the directory doesn't know them)."""
    admins = roles.members_with(session, workspace_id, Role.ADMIN)
    known = members.by_users(session, workspace_id, admins)
    return [member_name(known[a]) if a in known else f"<@{a}>" for a in admins]


def _apply(member: Member, user: Mapping[str, Any]) -> None:
    profile = user.get("profile") or {}
    member.handle = str(user.get("name") or user["id"])[:80]
    member.real_name = (profile.get("real_name") or user.get("real_name") or None)
    member.display_name = profile.get("display_name") or None
    member.is_bot = bool(user.get("is_bot")) or user["id"] == SLACKBOT
    member.deleted = bool(user.get("deleted"))
    member.search_key = search_key(member_name(member)) or ""
    member.handle_key = search_key(member.handle) or ""


def _member(member: Member, managers: set[str]) -> Recipient:
    return Recipient(
        RecipientKind.MEMBER, member_name(member), user_id=member.slack_user_id,
        is_manager=member.slack_user_id in managers,
    )


def _contact(contact: Contact) -> Recipient:
    return Recipient(
        RecipientKind.CONTACT, contact.name or format_phone(contact.e164), e164=contact.e164,
        contact_id=contact.id,
    )


def _phone(e164: str) -> Recipient:
    return Recipient(RecipientKind.PHONE, format_phone(e164), e164=e164)


def _phone_matches(session: Session, workspace_id: int, text: str, limit: int) -> list[Recipient]:
    digits = re.sub(r"\D", "", text)
    prefixes = [f"+{digits}"] if text.startswith("+") else [f"+1{digits}", f"+{digits}"]
    found: dict[int, Recipient] = {}
    for prefix in prefixes:
        for contact in contacts.with_phone_prefix(session, workspace_id, prefix, limit):
            found.setdefault(contact.id, _contact(contact))
    typed: list[Recipient] = []
    try:
        e164 = parse_phone(text, field="recipient").e164
    except InvalidInput:
        e164 = None
    if e164 and not any(r.e164 == e164 for r in found.values()):
        typed = [_phone(e164)]
    exact = [r for r in found.values() if r.e164 == e164]
    rest = [r for r in found.values() if r.e164 != e164]
    return (typed + exact + rest)[:limit]
