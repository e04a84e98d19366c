"""The New message window: `/sms`, the global shortcut, the recipient picker's options, the
live refresh (recipient chosen, text typed) and the submission."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.compose import build_compose_modal, build_recipient_options
from bot.errors import SmsBridgeError
from bot.services.compose import CommandKind, ComposeRefused, Field
from bot.services.container import Services
from handlers.slack.payload import team_of, user_of

log = logging.getLogger(__name__)


def compose_state(view: dict[str, Any]) -> dict[str, Any]:
    """What the person has entered so far in the New message window."""
    values = (view.get("state") or {}).get("values") or {}

    def element(block: str, action: str) -> dict[str, Any]:
        return dict((values.get(block) or {}).get(action) or {})

    recipient = element(ids.COMPOSE_RECIPIENT_BLOCK, ids.COMPOSE_RECIPIENT).get("selected_option")
    number = element(ids.COMPOSE_FROM_BLOCK, ids.COMPOSE_FROM).get("selected_option")
    metadata = json.loads(view.get("private_metadata") or "{}")
    return {
        "recipient_value": (recipient or {}).get("value"),
        "number_id": int(number["value"]) if number and number.get("value", "").isdigit()
        else None,
        "text": element(ids.COMPOSE_MESSAGE_BLOCK, ids.COMPOSE_MESSAGE).get("value") or "",
        "files": element(ids.COMPOSE_FILES_BLOCK, ids.COMPOSE_FILES).get("files") or [],
        "origin_channel": metadata.get("channel"),
    }


def register(app: App, services: Services) -> None:
    @app.command("/sms")
    def on_sms(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        try:
            outcome = services.compose.command(
                team_id=team_of(context, command), user=command["user_id"],
                text=command.get("text") or "", channel=command.get("channel_id"),
            )
        except SmsBridgeError as exc:
            ack(text=f"Not sent: {exc}")
            return
        if outcome.kind is CommandKind.MODAL and outcome.form is not None:
            ack()
            client.views_open(
                trigger_id=command["trigger_id"], view=build_compose_modal(outcome.form)
            )
            return
        ack(text=outcome.text)

    @app.shortcut(ids.NEW_MESSAGE_SHORTCUT)
    @app.action(ids.HOME_NEW_MESSAGE)
    def on_new_message(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """The global shortcut, or the button on App Home: no channel to answer in."""
        ack()
        form = services.compose.form(team_id=team_of(context, body), user=user_of(body))
        client.views_open(trigger_id=body["trigger_id"], view=build_compose_modal(form))

    @app.options(ids.COMPOSE_RECIPIENT)
    def on_recipient_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        found = services.directory.search(
            team_id=team_of(context, body), query=str(body.get("value") or "")
        )
        ack(options=build_recipient_options(found))

    @app.action(ids.COMPOSE_RECIPIENT)
    @app.action(ids.COMPOSE_MESSAGE)
    def on_compose_change(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """A recipient was chosen (From picker shown or hidden) or text typed (counter)."""
        ack()
        view = body["view"]
        state = compose_state(view)
        form = services.compose.form(
            team_id=team_of(context, body), user=user_of(body),
            recipient_value=state["recipient_value"], number_id=state["number_id"],
            text=state["text"], origin_channel=state["origin_channel"],
        )
        client.views_update(view_id=view["id"], view=build_compose_modal(form, prefill=False))

    @app.view(ids.COMPOSE_VIEW)
    def on_compose_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        state = compose_state(view)
        try:
            services.compose.send(
                team_id=team_of(context, body), sender=user_of(body),
                recipient_value=state["recipient_value"], number_id=state["number_id"],
                text=state["text"], files=state["files"],
                origin_channel=state["origin_channel"],
            )
        except ComposeRefused as exc:
            ack(response_action="errors", errors={exc.field or Field.RECIPIENT: str(exc)})
            return
        except SmsBridgeError as exc:
            ack(response_action="errors", errors={Field.RECIPIENT: str(exc)})
            return
        ack()
