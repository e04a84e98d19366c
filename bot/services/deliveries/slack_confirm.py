"""The sender's confirmation: ephemeral in the channel they composed in; a DM from the app
when there is none (shortcut, App Home) or Slack won't show it there."""

from __future__ import annotations

from bot.errors import SlackError
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from storage.models import OutboxItem, Workspace

EPHEMERAL_REFUSALS = frozenset(
    {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}
)


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    payload = item.payload or {}
    with ctx.session_factory.begin() as session:
        workspace = session.get(Workspace, item.workspace_id)
        assert workspace is not None
        team_id = workspace.team_id
    slack = ctx.slack_for(team_id)
    user, text, channel = payload["user"], payload["text"], payload.get("channel")
    if channel:
        try:
            slack.post_ephemeral(channel=channel, user=user, text=text)
            return []
        except SlackError as exc:
            if exc.code not in EPHEMERAL_REFUSALS:
                raise
    post_once(
        ctx, team_id=team_id, workspace_id=item.workspace_id, key=f"confirm:{item.id}",
        channel=slack.open_dm(user), thread_ts=None, text=text,
    )
    return []
