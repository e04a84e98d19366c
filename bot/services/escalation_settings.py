"""Where escalations go besides the managers' DMs: one channel per workspace, set from the
CLI (`smsbridge escalations channel`) or App Home by an admin; audited."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound, PermissionDenied
from bot.gateways.slack import SlackGateway
from bot.services.admin import CHANNEL_ID, _check_channel
from storage.models import Role
from storage.repositories import audit, escalations, roles, workspaces


class EscalationSettingsService:
    def __init__(
        self, *, session_factory: sessionmaker[Session],
        slack_for: Callable[[str], SlackGateway] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.slack_for = slack_for

    def channel(self, *, team_id: str) -> str | None:
        """The escalations channel, for App Home to show (None: DMs only)."""
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            setting = None if workspace is None else escalations.setting(session, workspace.id)
            return setting.channel_id if setting else None

    def set_channel(
        self, *, team_id: str, channel_id: str, actor: str, slack: SlackGateway | None
    ) -> None:
        """Validate (the channel must exist; the app joins it when public), then store."""
        if not CHANNEL_ID.match(channel_id or ""):
            raise InvalidInput(
                f"“{channel_id}” is not a Slack channel ID (like C012AB3CD).", field="channel"
            )
        if slack is not None:
            _check_channel(slack, channel_id)
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            if workspace is None:
                raise NotFound(f"workspace {team_id} is not known here; install the app first.")
            setting = escalations.ensure_setting(session, workspace.id)
            previous = setting.channel_id
            setting.channel_id = channel_id
            setting.updated_by = actor
            audit.record(
                session, workspace_id=workspace.id, actor=actor, action="escalations.channel",
                subject=channel_id, detail={"previous": previous},
            )

    def set_channel_as_member(self, *, team_id: str, user: str, channel_id: str) -> None:
        """From App Home: admins only."""
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            if workspace is None or Role.ADMIN not in roles.roles_of(session, workspace.id, user):
                raise PermissionDenied("Only admins can change the escalations channel.")
        slack = self.slack_for(team_id) if self.slack_for else None
        self.set_channel(team_id=team_id, channel_id=channel_id, actor=user, slack=slack)
