"""Setting up SMS numbers, assignments and roles (CLI today, App Home later). Every change
is validated here, whoever calls, and written to the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound, SlackError
from bot.gateways.slack import SlackGateway
from bot.phones import parse_phone
from storage.models import NumberAssignment, Role, SmsNumber, Workspace
from storage.repositories import audit, numbers, roles, workspaces

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class NumberView:
    e164: str
    channel_id: str
    label: str | None
    messaging_service_sid: str | None
    assignees: list[tuple[str, bool]]  # (user id, is default)


@dataclass(frozen=True)
class AddedNumber:
    e164: str
    warnings: list[str]


def check_user_id(user_id: str) -> str:
    if not USER_ID.match(user_id or ""):
        raise InvalidInput(f"“{user_id}” is not a Slack user ID (like U012AB3CD).", field="user")
    return user_id


class AdminService:
    def __init__(self, *, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def add_number(
        self,
        *,
        team_id: str,
        number: str,
        channel_id: str,
        label: str | None,
        messaging_service_sid: str | None,
        actor: str,
        slack: SlackGateway | None = None,
    ) -> AddedNumber:
        """Validate, check the channel with Slack (joining it when public), then store."""
        parsed = parse_phone(number, field="number")
        if not CHANNEL_ID.match(channel_id or ""):
            raise InvalidInput(
                f"“{channel_id}” is not a Slack channel ID (like C012AB3CD).", field="channel"
            )
        if messaging_service_sid and not MESSAGING_SERVICE_SID.match(messaging_service_sid):
            raise InvalidInput(
                f"“{messaging_service_sid}” is not a Messaging Service SID (MG + 32 hex).",
                field="messaging_service",
            )
        label = (label or "").strip() or None
        warnings = [parsed.warning] if parsed.warning else []
        with self.session_factory.begin() as session:
            if numbers.by_e164(session, parsed.e164) is not None:
                raise InvalidInput(f"{parsed.e164} is already set up.", field="number")
        if slack is not None:
            warnings += _check_channel(slack, channel_id)
        with self.session_factory.begin() as session:
            workspace = _workspace(session, team_id)
            if numbers.by_e164(session, parsed.e164) is not None:
                raise InvalidInput(f"{parsed.e164} is already set up.", field="number")
            session.add(
                SmsNumber(
                    workspace_id=workspace.id,
                    e164=parsed.e164,
                    channel_id=channel_id,
                    label=label,
                    messaging_service_sid=messaging_service_sid,
                )
            )
            audit.record(
                session, workspace_id=workspace.id, actor=actor, action="number.add",
                subject=parsed.e164, detail={"channel": channel_id, "label": label},
                number_e164=parsed.e164,
            )
        return AddedNumber(e164=parsed.e164, warnings=warnings)

    def assign(
        self, *, team_id: str, number: str, user_id: str, default: bool, actor: str
    ) -> None:
        e164 = parse_phone(number, field="number").e164
        check_user_id(user_id)
        with self.session_factory.begin() as session:
            workspace = _workspace(session, team_id)
            sms_number = _number(session, workspace, e164)
            assignment = numbers.assignment(session, sms_number.id, user_id)
            if assignment is None:
                assignment = NumberAssignment(number_id=sms_number.id, slack_user_id=user_id)
                session.add(assignment)
            if default:
                numbers.clear_default(session, workspace.id, user_id)
                assignment.is_default = True
            audit.record(
                session, workspace_id=workspace.id, actor=actor, action="number.assign",
                subject=e164, detail={"user": user_id, "default": default},
                number_e164=e164, member_id=user_id,
            )

    def list_numbers(self, *, team_id: str) -> list[NumberView]:
        with self.session_factory.begin() as session:
            workspace = _workspace(session, team_id)
            return [
                NumberView(
                    e164=n.e164,
                    channel_id=n.channel_id,
                    label=n.label,
                    messaging_service_sid=n.messaging_service_sid,
                    assignees=[
                        (a.slack_user_id, a.is_default) for a in numbers.assignments(session, n.id)
                    ],
                )
                for n in numbers.in_workspace(session, workspace.id)
            ]

    def grant_role(self, *, team_id: str, user_id: str, role: str, actor: str) -> bool:
        """Grant a role; False when the member already had it."""
        check_user_id(user_id)
        if role not in {r.value for r in Role}:
            raise InvalidInput(f"“{role}” is not a role; use admin or manager.", field="role")
        with self.session_factory.begin() as session:
            workspace = _workspace(session, team_id)
            granted = roles.grant(session, workspace.id, user_id, role, actor)
            if granted:
                audit.record(
                    session, workspace_id=workspace.id, actor=actor, action="role.grant",
                    subject=user_id, detail={"role": role}, member_id=user_id,
                )
            return granted

    def ensure_workspace(self, *, team_id: str, name: str | None) -> None:
        with self.session_factory.begin() as session:
            workspaces.ensure(session, team_id, name)


    # --- issue 4: App Home management ---

    def unassign(self, *, team_id: str, number: str, user_id: str, actor: str) -> bool:
        """Take a number away from a member; False when it was not theirs."""
        e164 = parse_phone(number, field="number").e164
        check_user_id(user_id)
        with self.session_factory.begin() as session:
            workspace = _workspace(session, team_id)
            sms_number = _number(session, workspace, e164)
            assignment = numbers.assignment(session, sms_number.id, user_id)
            if assignment is None:
                return False
            session.delete(assignment)
            audit.record(
                session, workspace_id=workspace.id, actor=actor, action="number.unassign",
                subject=e164, detail={"user": user_id},
            )
            return True

    def revoke_role(self, *, team_id: str, user_id: str, role: str, actor: str) -> bool:
        """Revoke a role; False when the member did not have it."""
        check_user_id(user_id)
        if role not in {r.value for r in Role}:
            raise InvalidInput(f"“{role}” is not a role; use admin or manager.", field="role")
        with self.session_factory.begin() as session:
            workspace = _workspace(session, team_id)
            revoked = roles.revoke(session, workspace.id, user_id, role)
            if revoked:
                audit.record(
                    session, workspace_id=workspace.id, actor=actor, action="role.revoke",
                    subject=user_id, detail={"role": role},
                )
            return revoked


def _check_channel(slack: SlackGateway, channel_id: str) -> list[str]:
    """The bot must be in the channel to post there: it joins a public one; a private one
    must invite it first."""
    try:
        channel = slack.channel_info(channel_id)
    except SlackError as exc:
        if exc.code == "channel_not_found":
            raise InvalidInput(
                f"Slack has no channel {channel_id} that the app can see; for a private "
                "channel, invite the app first (/invite @smsbridge).",
                field="channel",
            ) from exc
        raise
    if channel.get("is_archived"):
        raise InvalidInput(f"#{channel.get('name', channel_id)} is archived.", field="channel")
    if channel.get("is_member"):
        return []
    if channel.get("is_private"):
        raise InvalidInput(
            f"invite the app to #{channel.get('name', channel_id)} first (/invite @smsbridge).",
            field="channel",
        )
    slack.join_channel(channel_id)
    return []


def _workspace(session: Session, team_id: str) -> Workspace:
    workspace = workspaces.by_team(session, team_id)
    if workspace is None:
        raise NotFound(f"workspace {team_id} is not known here; install the app first.")
    return workspace


def _number(session: Session, workspace: Workspace, e164: str) -> SmsNumber:
    sms_number = numbers.by_e164(session, e164)
    if sms_number is None or sms_number.workspace_id != workspace.id:
        raise NotFound(f"{e164} is not an SMS number of this workspace; add it first.")
    return sms_number

