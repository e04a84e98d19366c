"""Reading the parts of Slack interaction payloads every listener needs."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext


def team_of(context: BoltContext, body: dict[str, Any]) -> str:
    return context.team_id or (body.get("team") or {}).get("id") or body.get("team_id") or ""


def user_of(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or body.get("user_id") or "")


def input_values(view: dict[str, Any], action_id: str) -> dict[str, Any]:
    """block id → the state of the element `action_id` in it."""
    values = (view.get("state") or {}).get("values") or {}
    return {block: dict(actions.get(action_id) or {}) for block, actions in values.items()}
