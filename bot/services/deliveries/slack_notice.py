"""An ephemeral message to one person: refusals and warnings nobody else should see."""

from __future__ import annotations

from bot.services.deliveries.context import DeliveryContext
from storage.models import OutboxItem, Workspace


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    payload = item.payload or {}
    with ctx.session_factory.begin() as session:
        workspace = session.get(Workspace, item.workspace_id)
        assert workspace is not None
        team_id = workspace.team_id
    ctx.slack_for(team_id).post_ephemeral(
        channel=payload["channel"], user=payload["user"], text=payload["text"],
        thread_ts=payload.get("thread_ts"),
    )
    return []
