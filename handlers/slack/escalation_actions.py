"""Buttons on the conversation card and on escalation notices (block_actions)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.errors import InvalidInput, NotFound
from bot.services.container import Services
from bot.services.lifecycle import CardAction

log = logging.getLogger(__name__)

CARD_ACTIONS = {
    ids.CARD_ASSIGN_TO_ME: CardAction.ASSIGN,
    ids.CARD_CLOSE: CardAction.CLOSE,
    ids.CARD_REOPEN: CardAction.REOPEN,
    ids.CARD_TAKE_OVER: CardAction.TAKE_OVER,
    ids.CARD_RELEASE: CardAction.RELEASE,
    ids.ESCALATION_TAKE_OVER: CardAction.TAKE_OVER,
}


def _conversation_id(action: dict[str, Any]) -> int | None:
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else None


def register(app: App, services: Services) -> None:
    def on_lifecycle_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        """The service checks who may, records, and tells the person what happened."""
        ack()
        conversation_id = _conversation_id(action)
        if conversation_id is None:
            respond(text="That button is not one of smsbridge's.", response_type="ephemeral",
                    replace_original=False)
            return
        try:
            services.lifecycle.act(
                team_id=body["team"]["id"], user=body["user"]["id"],
                conversation_id=conversation_id, action=CARD_ACTIONS[action["action_id"]],
                channel=body["channel"]["id"],
            )
        except NotFound as exc:
            respond(text=str(exc), response_type="ephemeral", replace_original=False)

    for action_id in CARD_ACTIONS:
        app.action(action_id)(on_lifecycle_button)

    @app.action(ids.CARD_ESCALATE)
    def on_escalate_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
        respond: Respond,
    ) -> None:
        ack()
        conversation_id = _conversation_id(action)
        try:
            if conversation_id is None:
                raise NotFound("That button is not one of smsbridge's.")
            view = services.escalations.modal_for_conversation(
                team_id=body["team"]["id"], user=body["user"]["id"],
                conversation_id=conversation_id,
            )
        except (NotFound, InvalidInput) as exc:
            respond(text=str(exc), response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)
