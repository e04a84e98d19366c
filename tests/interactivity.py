"""Interactivity payloads as Slack sends them: form body `payload=<json>`, signed."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import requests

from tests.fakes import FakeSlack
from tests.harness import AppUnderTest, signed_slack_post


def post_payload(app: AppUnderTest, payload: dict[str, Any]) -> requests.Response:
    body = urlencode({"payload": json.dumps(payload)})
    return signed_slack_post(
        f"{app.url}/slack/events", body, content_type="application/x-www-form-urlencoded"
    )


def _trigger() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex}"


def _user(app: AppUnderTest, user: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": app.team_id}


def block_action(
    app: AppUnderTest, slack: FakeSlack, *, user: str, channel: str, message_ts: str,
    action_id: str, value: str,
) -> requests.Response:
    """A button click on a message (card, DM or channel post)."""
    message = slack.message(channel, message_ts) or {"ts": message_ts, "type": "message"}
    payload = {
        "type": "block_actions", "team": {"id": app.team_id, "domain": "acme"},
        "user": _user(app, user), "api_app_id": "A0001", "token": "legacy",
        "trigger_id": _trigger(),
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": channel.lower()},
        "message": message, "response_url": slack.response_url(),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b",
                     "value": value, "action_ts": f"{time.time():.6f}"}],
    }
    return post_payload(app, payload)


def message_shortcut(
    app: AppUnderTest, slack: FakeSlack, *, user: str, channel: str, message: dict[str, Any],
    callback_id: str,
) -> requests.Response:
    payload = {
        "type": "message_action", "callback_id": callback_id, "team": {"id": app.team_id,
                                                                       "domain": "acme"},
        "user": _user(app, user), "api_app_id": "A0001", "token": "legacy",
        "trigger_id": _trigger(), "action_ts": f"{time.time():.6f}",
        "channel": {"id": channel, "name": channel.lower()}, "message_ts": message["ts"],
        "message": message, "response_url": slack.response_url(),
    }
    return post_payload(app, payload)


def view_submission(
    app: AppUnderTest, *, user: str, view: dict[str, Any], values: dict[str, Any]
) -> requests.Response:
    """Submit `view` (as views.open returned it) with state `values`."""
    submitted = {**view, "state": {"values": values}}
    payload = {
        "type": "view_submission", "team": {"id": app.team_id, "domain": "acme"},
        "user": _user(app, user), "api_app_id": "A0001", "token": "legacy",
        "trigger_id": _trigger(), "view": submitted, "response_urls": [],
    }
    return post_payload(app, payload)
