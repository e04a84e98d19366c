"""What a member's Slack client causes Slack to send the app: message events, `/sms`,
button clicks and modal interactions, each signed with the signing secret like Slack does.

The emulator records what the app calls back (posts, reactions, views, ephemerals); the
sandbox page shows that state.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from slack_sdk.signature import SignatureVerifier

from bot.errors import InvalidInput
from bot.sandbox.slack_api import SlackEmulator

FORM = "application/x-www-form-urlencoded"


@dataclass
class Notice:
    """Something only one member sees: an ephemeral message or a command's answer."""

    id: int
    user: str
    text: str


@dataclass
class OpenModal:
    view_id: str
    user: str
    errors: dict[str, str] = field(default_factory=dict)
    below: OpenModal | None = None
    """The view a views.push covered: shown again when this one is submitted or closed."""


class SlackClient:
    """Acts for the sandbox's members against the app at `app_url`."""

    def __init__(self, slack: SlackEmulator, *, app_url: str, secret: str, team_id: str) -> None:
        self.slack = slack
        self.events_url = f"{app_url}/slack/events"
        self.verifier = SignatureVerifier(secret)
        self.team_id = team_id
        self.lock = threading.Lock()
        self.notices: list[Notice] = []
        self.modal: OpenModal | None = None
        self._seen_ephemerals = 0
        self._seen_responses = 0
        self._response_users: dict[str, str] = {}

    def _response_url(self, user: str) -> str:
        url = self.slack.response_url()
        self._response_users[url] = user
        return url

    # -- transport ----------------------------------------------------------------------

    def _post(self, body: str, content_type: str) -> requests.Response:
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=stamp, body=body),
        }
        return requests.post(self.events_url, data=body.encode(), headers=headers, timeout=30)

    def _interact(self, payload: dict[str, Any]) -> requests.Response:
        return self._post(urlencode({"payload": json.dumps(payload)}), FORM)

    def _base(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind, "team": {"id": self.team_id, "domain": self.slack.team_domain},
            "user": {"id": user, "team_id": self.team_id, "name": self._name(user)},
            "api_app_id": self.slack.app_id, "token": "sandbox", "trigger_id": _trigger(),
        }

    def _name(self, user: str) -> str:
        found = self.slack.users.get(user)
        if found is None:
            raise InvalidInput(f"{user} is not a member of this workspace", field="user")
        return str(found["name"])

    def _note(self, user: str, text: str) -> None:
        with self.lock:
            self.notices.append(Notice(len(self.notices) + 1, user, text))

    def _answer(self, user: str, response: requests.Response) -> None:
        """A slash command or click answered with text: shown to that member alone."""
        if response.status_code != 200:
            self._note(user, f"The app answered HTTP {response.status_code}: {response.text}")
            return
        if response.headers.get("Content-Type", "").startswith("application/json"):
            text = (response.json() or {}).get("text")
            if text:
                self._note(user, str(text))
        elif response.text.strip():
            self._note(user, response.text.strip())

    def _opened(self, trigger: str, user: str) -> None:
        """If the app opened a modal with this trigger, it is now in front of `user`."""
        for record in reversed(list(self.slack.views)):  # a copy: the app may be adding
            if record.get("trigger_id") == trigger:
                below = self.modal if record["method"] == "views.push" else None
                self.modal = OpenModal(str(record["view"]["id"]), user, below=below)
                return

    # -- what members do ----------------------------------------------------------------

    def say(self, *, user: str, channel: str, text: str, thread_ts: str | None) -> str:
        """A member posts (in a thread, usually); Slack sends the app a message event."""
        self._name(user)
        if not text.strip():
            raise InvalidInput("Type a message first.", field="text")
        message = self.slack.add_message(channel, user=user, text=text, thread_ts=thread_ts)
        event: dict[str, Any] = {
            "type": "message", "channel": channel, "user": user, "text": text,
            "ts": message["ts"], "event_ts": message["ts"], "channel_type": "channel",
            "team": self.team_id,
        }
        if message.get("thread_ts"):
            event["thread_ts"] = message["thread_ts"]
        envelope = {
            "token": "sandbox", "team_id": self.team_id, "api_app_id": self.slack.app_id,
            "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": self.team_id, "user_id": self.slack.bot_user_id,
                                "is_bot": True, "enterprise_id": None}],
        }
        response = self._post(json.dumps(envelope), "application/json")
        if response.status_code != 200:
            self._note(user, f"The app answered HTTP {response.status_code}: {response.text}")
        return str(message["ts"])

    def command(self, *, user: str, channel: str, text: str) -> None:
        """`/sms …` typed in a channel."""
        trigger = _trigger()
        body = urlencode({
            "token": "sandbox", "team_id": self.team_id, "team_domain": self.slack.team_domain,
            "channel_id": channel, "channel_name": self.slack.channels[channel].name,
            "user_id": user, "user_name": self._name(user), "command": "/sms", "text": text,
            "api_app_id": self.slack.app_id, "response_url": self._response_url(user),
            "trigger_id": trigger,
        })
        response = self._post(body, FORM)
        self._answer(user, response)
        self._opened(trigger, user)
        self.collect()

    def click(self, *, user: str, channel: str, ts: str, action: dict[str, Any]) -> None:
        """A button on a message (card, escalation notice)."""
        message = self.slack.message(channel, ts)
        if message is None:
            raise InvalidInput("That message is gone.", field="ts")
        payload = {
            **self._base("block_actions", user),
            "container": {"type": "message", "message_ts": ts, "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel, "name": self.slack.channels[channel].name},
            "message": message, "response_url": self._response_url(user),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        self._answer(user, self._interact(payload))
        self._opened(payload["trigger_id"], user)
        self.collect()

    # -- the open modal ---------------------------------------------------------------------

    def _view(
        self, values: dict[str, Any], view_id: str | None = None
    ) -> tuple[OpenModal, dict[str, Any]]:
        """The window in front, with what was entered; `view_id` (when given) must be it:
        a late refresh from a covered or closed window is refused, as Slack would."""
        modal = self.modal
        view = self.slack.view(modal.view_id) if modal else None
        if modal is None or view is None:
            raise InvalidInput("No window is open.", field="view")
        if view_id is not None and view_id != modal.view_id:
            raise InvalidInput("That window is no longer in front.", field="view")
        return modal, {**view, "state": {"values": values}}

    def suggest(
        self, *, action_id: str, block_id: str, value: str, view_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Options for an external select, as the person types."""
        modal, view = self._view({}, view_id)
        payload = {**self._base("block_suggestion", modal.user), "action_id": action_id,
                   "block_id": block_id, "value": value, "view": view}
        response = self._interact(payload)
        if response.status_code != 200:
            return []
        return list((response.json() or {}).get("options") or [])

    def view_action(
        self, *, action: dict[str, Any], values: dict[str, Any], view_id: str | None = None
    ) -> None:
        """An input with dispatch_action changed (the app may update the view)."""
        modal, view = self._view(values, view_id)
        payload = {**self._base("block_actions", modal.user), "view": view,
                   "container": {"type": "view", "view_id": modal.view_id},
                   "actions": [{**action, "action_ts": f"{time.time():.6f}"}]}
        self._answer(modal.user, self._interact(payload))
        self._opened(payload["trigger_id"], modal.user)  # e.g. "Add a contact" pushes a view
        self.collect()

    def submit(self, *, values: dict[str, Any], view_id: str | None = None) -> dict[str, str]:
        """Submit the modal: field errors keep it open, else it closes."""
        modal, view = self._view(values, view_id)
        payload = {**self._base("view_submission", modal.user), "view": view,
                   "response_urls": []}
        response = self._interact(payload)
        errors: dict[str, str] = {}
        if response.status_code != 200:
            errors = {"": f"The app answered HTTP {response.status_code}"}
        elif response.content and response.headers.get("Content-Type", "").startswith(
                "application/json"):
            answer = response.json() or {}
            if answer.get("response_action") == "errors":
                errors = {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
        if errors:
            modal.errors = errors
        else:
            self.modal = modal.below
        self.collect()
        return errors

    def close(self) -> None:
        """Cancel: the top view goes, uncovering the one it was pushed over."""
        self.modal = self.modal.below if self.modal else None

    def collect(self) -> None:
        """Move the app's ephemerals and response_url answers into the notices."""
        with self.lock:
            ephemerals = self.slack.ephemerals[self._seen_ephemerals:]
            responses = self.slack.responses[self._seen_responses:]
            self._seen_ephemerals += len(ephemerals)
            self._seen_responses += len(responses)
        for item in ephemerals:
            self._note(str(item["user"]), str(item.get("text") or ""))
        for item in responses:
            user = self._response_users.get(str(item["url"]), "")
            self._note(user, str(item["body"].get("text") or ""))


def _trigger() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex}"
