"""The "Escalate to manager" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.errors import InvalidInput, NotFound
from bot.services.container import Services


def register(app: App, services: Services) -> None:
    @app.shortcut(ids.ESCALATE_SHORTCUT)
    def on_escalate_shortcut(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """Opens the escalation modal; on a message outside a conversation thread, says so
        (ephemeral, through the shortcut's response_url: works in any channel)."""
        ack()
        try:
            view = services.escalations.modal_for_message(
                team_id=body["team"]["id"], user=body["user"]["id"],
                channel=body["channel"]["id"], message=body.get("message") or {},
            )
        except (NotFound, InvalidInput) as exc:
            respond(text=str(exc), response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)
