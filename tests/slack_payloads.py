"""Signed Slack requests as Slack sends them: slash commands (form body), interactivity
(`payload=<json>` form bodies) and Events API callbacks."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import requests

from tests.harness import AppUnderTest, send_event, signed_slack_post

FORM = "application/x-www-form-urlencoded"


def slash(
    app: AppUnderTest, text: str, *, user: str, channel: str = "C0SUPPORT"
) -> requests.Response:
    body = urlencode({
        "token": "legacy", "team_id": app.team_id, "team_domain": "acme",
        "channel_id": channel, "channel_name": "sms-support", "user_id": user,
        "user_name": user.lower(), "command": "/sms", "text": text, "api_app_id": "A0001",
        "response_url": "https://hooks.slack.invalid/commands/T/1/x",
        "trigger_id": f"{int(time.time())}.trigger.{uuid.uuid4().hex[:8]}",
    })
    return signed_slack_post(f"{app.url}/slack/events", body, content_type=FORM)


def interact(app: AppUnderTest, payload: dict[str, Any]) -> requests.Response:
    body = urlencode({"payload": json.dumps(payload)})
    return signed_slack_post(f"{app.url}/slack/events", body, content_type=FORM)


def _base(app: AppUnderTest, kind: str, user: str) -> dict[str, Any]:
    return {
        "type": kind, "team": {"id": app.team_id, "domain": "acme"},
        "user": {"id": user, "team_id": app.team_id}, "api_app_id": "A0001",
        "token": "legacy", "trigger_id": f"{int(time.time())}.trigger.{uuid.uuid4().hex[:8]}",
    }


def with_state(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The view as Slack sends it back, carrying what the person entered."""
    return {**view, "state": {"values": values}}


def shortcut(app: AppUnderTest, callback_id: str, *, user: str) -> requests.Response:
    return interact(app, {**_base(app, "shortcut", user), "callback_id": callback_id})


def block_action(
    app: AppUnderTest, *, user: str, action: dict[str, Any], block_id: str,
    view: dict[str, Any] | None = None,
) -> requests.Response:
    payload = {
        **_base(app, "block_actions", user),
        "actions": [{"block_id": block_id, "action_ts": str(time.time()), **action}],
        "container": {"type": "view", "view_id": view["id"]} if view else {"type": "view"},
    }
    if view is not None:
        payload["view"] = view
    return interact(app, payload)


def suggestion(
    app: AppUnderTest, *, user: str, action_id: str, block_id: str, value: str,
    view: dict[str, Any],
) -> requests.Response:
    return interact(app, {
        **_base(app, "block_suggestion", user), "action_id": action_id, "block_id": block_id,
        "value": value, "view": view, "container": {"type": "view", "view_id": view["id"]},
    })


def submit(app: AppUnderTest, *, user: str, view: dict[str, Any]) -> requests.Response:
    return interact(app, {**_base(app, "view_submission", user), "view": view})


def event(app: AppUnderTest, event_body: dict[str, Any]) -> requests.Response:
    return send_event(app.url, {
        "token": "legacy", "team_id": app.team_id, "api_app_id": "A0001",
        "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()), "event": event_body,
        "authorizations": [
            {"team_id": app.team_id, "user_id": "UBOT", "is_bot": True, "enterprise_id": None}
        ],
    })
