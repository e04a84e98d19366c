"""Events API: messages in mapped channels' conversation threads."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.services.container import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        """Runs before Slack gets its 200 (process_before_response): what the event carries
        is committed first, so a crash makes Slack retry instead of losing the reply."""
        team_id = context.team_id or body.get("team_id") or ""
        outcome = services.replies.on_message(
            team_id=team_id, event_id=body.get("event_id"), event=event
        )
        log.debug("message event %s: %s", body.get("event_id"), outcome)
