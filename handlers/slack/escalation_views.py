"""The escalation modal's submission: field errors back into the modal, else recorded."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App

from bot.blocks import ids
from bot.errors import InvalidInput, NotFound
from bot.services.container import Services
from bot.services.escalations import EscalationRequest


def _selected(values: dict[str, Any], block: str, action: str) -> str | None:
    option = (values.get(block, {}).get(action) or {}).get("selected_option") or {}
    return option.get("value")


def parse(view: dict[str, Any]) -> EscalationRequest:
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    reason = (values.get(ids.ESCALATE_REASON_BLOCK, {}).get(ids.ESCALATE_REASON_INPUT) or {})
    return EscalationRequest(
        conversation_id=int(metadata.get("conversation_id", 0)),
        reason=str(reason.get("value") or ""),
        urgency=_selected(values, ids.ESCALATE_URGENCY_BLOCK, ids.ESCALATE_URGENCY_INPUT)
        or "normal",
        target=_selected(values, ids.ESCALATE_TARGET_BLOCK, ids.ESCALATE_TARGET_INPUT),
    )


def register(app: App, services: Services) -> None:
    @app.view(ids.ESCALATE_VIEW)
    def on_escalate_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Answered after the escalation is committed (process_before_response)."""
        try:
            services.escalations.submit(
                team_id=body["team"]["id"], user=body["user"]["id"], request=parse(view)
            )
        except InvalidInput as exc:
            ack(response_action="errors",
                errors={exc.field or ids.ESCALATE_REASON_BLOCK: str(exc)})
            return
        except NotFound as exc:
            ack(response_action="errors", errors={ids.ESCALATE_REASON_BLOCK: str(exc)})
            return
        ack()
