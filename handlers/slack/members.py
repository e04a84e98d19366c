"""The member directory follows Slack: people who join or change (name, deactivation)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.services.container import Services


def register(app: App, services: Services) -> None:
    @app.event("team_join")
    @app.event("user_change")
    def on_user(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        team_id = context.team_id or body.get("team_id") or ""
        services.directory.on_user(team_id=team_id, user=event["user"])
