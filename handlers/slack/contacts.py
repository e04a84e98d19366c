"""The contact add/edit window, from App Home or from the New message window."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.contacts import build_contact_modal
from bot.errors import InvalidInput, SmsBridgeError
from bot.services.container import Services
from handlers.slack.payload import input_values, team_of, user_of

FIELD_BLOCKS = {
    "phone": ids.CONTACT_PHONE_BLOCK, "name": ids.CONTACT_NAME_BLOCK,
    "company": ids.CONTACT_COMPANY_BLOCK, "notes": ids.CONTACT_NOTES_BLOCK,
}


def register(app: App, services: Services) -> None:
    @app.action(ids.HOME_ADD_CONTACT)
    def on_add_contact(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=build_contact_modal())

    @app.action(ids.COMPOSE_ADD_CONTACT)
    def on_add_contact_from_compose(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=build_contact_modal())

    @app.view(ids.CONTACT_VIEW)
    def on_contact_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        state = input_values(view, ids.CONTACT_INPUT)
        fields = {name: state.get(block, {}).get("value") for name, block in FIELD_BLOCKS.items()}
        contact_id = json.loads(view.get("private_metadata") or "{}").get("contact_id")
        try:
            services.contacts.save(
                team_id=team_of(context, body), actor=user_of(body), contact_id=contact_id,
                fields=fields,
            )
        except InvalidInput as exc:
            block = FIELD_BLOCKS.get(exc.field or "", ids.CONTACT_PHONE_BLOCK)
            ack(response_action="errors", errors={block: str(exc)})
            return
        except SmsBridgeError as exc:
            ack(response_action="errors", errors={ids.CONTACT_PHONE_BLOCK: str(exc)})
            return
        ack()
