"""Flow 4: the member's App Home — their numbers and default, their recent messages, and
for admins the management of numbers, assignments and roles (re-checked at submission)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound, PermissionDenied, SlackError
from bot.gateways.slack import SlackGateway
from bot.phones import format_phone
from bot.services.admin import AddedNumber, AdminService
from bot.services.directory import DirectoryService, admin_names, member_name
from bot.services.scope import workspace_of
from storage.models import Contact, Conversation, Role, SmsNumber
from storage.repositories import (
    activity,
    audit,
    escalations,
    internal_chats,
    members,
    numbers,
    roles,
    workspaces,
)

RECENT_LIMIT = 10


@dataclass(frozen=True)
class HomeNumber:
    id: int
    e164: str
    label: str | None
    channel_id: str
    is_default: bool
    assignees: list[tuple[str, bool]]  # (user id, is default), for admins

    @property
    def title(self) -> str:
        phone = format_phone(self.e164)
        return f"{self.label} ({phone})" if self.label else phone


@dataclass(frozen=True)
class RecentMessage:
    is_sms: bool
    who: str  # contact or coworker, as people see them
    preview: str  # raw text: builders escape it
    link: str | None
    at: datetime


# a recent message with where it is in Slack (channel, ts), to link to
Recent = tuple[RecentMessage, tuple[str | None, str | None]]


@dataclass(frozen=True)
class HomeData:
    user: str
    numbers: list[HomeNumber]  # the member's own, default first
    admins: list[str]
    recent: list[RecentMessage]
    is_admin: bool
    all_numbers: list[HomeNumber]  # admins only
    roles: list[tuple[str, str]]  # admins only: (user id, role)
    escalations_channel: str | None = None  # admins only


class HomeService:
    def __init__(
        self, *, session_factory: sessionmaker[Session], slack_for: Callable[[str], SlackGateway],
        directory: DirectoryService, admin: AdminService,
    ) -> None:
        self.session_factory = session_factory
        self.slack_for = slack_for
        self.directory = directory
        self.admin = admin

    def home(self, *, team_id: str, user: str) -> HomeData:
        self.directory.ensure_synced(team_id=team_id)
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            everything = _numbers(session, workspace.id, user)
            mine = sorted(
                (n for n in everything if any(u == user for u, _ in n.assignees)),
                key=lambda n: (not n.is_default, n.title),
            )
            admins = admin_names(session, workspace.id)
            is_admin = Role.ADMIN in roles.roles_of(session, workspace.id, user)
            found = _recent_sms(session, workspace.id, user) + _recent_chats(
                session, workspace.id, user
            )
            all_roles = roles.all_roles(session, workspace.id) if is_admin else []
            channel = _escalations_channel(session, workspace.id) if is_admin else None
        found.sort(key=lambda pair: pair[0].at, reverse=True)
        recent = [  # permalinks asked of Slack outside the transaction
            replace(item, link=self._link(team_id, *where)) for item, where in found[:RECENT_LIMIT]
        ]
        return HomeData(
            user=user, numbers=mine, admins=admins, recent=recent, is_admin=is_admin,
            all_numbers=everything if is_admin else [], roles=all_roles,
            escalations_channel=channel,
        )

    def set_default(self, *, team_id: str, user: str, number_id: int) -> None:
        """A member picks which of their own numbers `/sms` texts from."""
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            number = session.get(SmsNumber, number_id)
            if number is None or number.workspace_id != workspace.id:
                raise NotFound("That SMS number no longer exists.")
            assignment = numbers.assignment(session, number.id, user)
            if assignment is None:
                raise PermissionDenied(
                    f"{format_phone(number.e164)} isn't assigned to you; ask an admin."
                )
            numbers.clear_default(session, workspace.id, user)
            assignment.is_default = True
            audit.record(
                session, workspace_id=workspace.id, actor=user, action="number.default",
                subject=number.e164, detail={"user": user},
            )

    # -- admin changes: the actor's role is checked here, at submission ----------------

    def add_number(
        self, *, team_id: str, actor: str, number: str, channel_id: str, label: str | None
    ) -> AddedNumber:
        self._require_admin(team_id, actor)
        return self.admin.add_number(
            team_id=team_id, number=number, channel_id=channel_id, label=label,
            messaging_service_sid=None, actor=actor, slack=self.slack_for(team_id),
        )

    def change_assignment(
        self, *, team_id: str, actor: str, number_id: int, user_id: str, change: str
    ) -> None:
        """`change`: assign, default (assign as their default) or unassign."""
        self._require_admin(team_id, actor)
        with self.session_factory.begin() as session:
            number = session.get(SmsNumber, number_id)
            workspace = workspace_of(session, team_id)
            if number is None or number.workspace_id != workspace.id:
                raise InvalidInput("That SMS number no longer exists.", field="number")
            e164 = number.e164
        if change == "unassign":
            self.admin.unassign(team_id=team_id, number=e164, user_id=user_id, actor=actor)
        elif change in ("assign", "default"):
            self.admin.assign(
                team_id=team_id, number=e164, user_id=user_id, default=change == "default",
                actor=actor,
            )
        else:
            raise InvalidInput("Choose assign, make default or unassign.", field="change")

    def change_role(
        self, *, team_id: str, actor: str, user_id: str, role: str, grant: bool
    ) -> bool:
        self._require_admin(team_id, actor)
        if not grant and role == Role.ADMIN and user_id == actor:
            raise InvalidInput("You can't revoke your own admin role.", field="user")
        if grant:
            return self.admin.grant_role(team_id=team_id, user_id=user_id, role=role, actor=actor)
        return self.admin.revoke_role(team_id=team_id, user_id=user_id, role=role, actor=actor)

    def is_admin(self, *, team_id: str, user: str) -> bool:
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            return workspace is not None and Role.ADMIN in roles.roles_of(
                session, workspace.id, user
            )

    def _require_admin(self, team_id: str, actor: str) -> None:
        if not self.is_admin(team_id=team_id, user=actor):
            raise PermissionDenied(
                "Only smsbridge admins can change numbers, assignments or roles."
            )

    # -- recent messages ---------------------------------------------------------------

    def _link(self, team_id: str, channel: str | None, ts: str | None) -> str | None:
        """A permalink, or None when the message is not in Slack yet (or Slack won't say)."""
        if not channel or not ts:
            return None
        try:
            return self.slack_for(team_id).permalink(channel=channel, ts=ts)
        except SlackError:
            return None


def _recent_sms(session: Session, workspace_id: int, user: str) -> list[Recent]:
    found: list[Recent] = []
    for conversation_id in activity.recent_conversation_ids(
        session, workspace_id, user, RECENT_LIMIT
    ):
        conversation = session.get(Conversation, conversation_id)
        latest = activity.latest_message(session, conversation_id)
        assert conversation is not None
        contact = session.get(Contact, conversation.contact_id)
        if latest is None or contact is None:
            continue
        found.append((RecentMessage(
            is_sms=True, who=contact.name or format_phone(contact.e164),
            preview=latest.body, link=None, at=latest.created_at,
        ), (conversation.channel_id, conversation.thread_ts)))
    return found


def _recent_chats(session: Session, workspace_id: int, user: str) -> list[Recent]:
    chats = internal_chats.recent_for(session, workspace_id, user, RECENT_LIMIT)
    others = {c.recipient_user_id if c.sender_user_id == user else c.sender_user_id
              for c in chats}
    known = members.by_users(session, workspace_id, others)
    found: list[Recent] = []
    for chat in chats:
        other = chat.recipient_user_id if chat.sender_user_id == user else chat.sender_user_id
        found.append((RecentMessage(
            is_sms=False, who=member_name(known[other]) if other in known else other,
            preview=chat.body, link=None, at=chat.created_at,
        ), (chat.dm_channel_id, chat.slack_ts)))
    return found


def _numbers(session: Session, workspace_id: int, user: str) -> list[HomeNumber]:
    result = []
    for number in numbers.in_workspace(session, workspace_id):
        assignees = [
            (a.slack_user_id, a.is_default) for a in numbers.assignments(session, number.id)
        ]
        result.append(HomeNumber(
            id=number.id, e164=number.e164, label=number.label, channel_id=number.channel_id,
            is_default=(user, True) in assignees, assignees=assignees,
        ))
    return result



def _escalations_channel(session: Session, workspace_id: int) -> str | None:
    found = escalations.setting(session, workspace_id)
    return found.channel_id if found else None
