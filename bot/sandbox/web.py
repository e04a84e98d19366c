"""The sandbox page and its JSON API: the customer's phone on one side, Slack on the other.

The page polls GET /api/state; every action is a POST that makes an emulator send the app
what the real service would (a signed Twilio webhook, a signed Slack event or payload).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request, send_from_directory

from bot.errors import InvalidInput
from bot.phones import parse_phone
from bot.sandbox.runtime import CONTACTS, MEMBERS, NUMBERS
from bot.sandbox.slack_client import SlackClient

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox

STATIC = Path(__file__).parent / "static"
MAX_PICTURE = 5 * 1024 * 1024
PICTURE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object.", field="body")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput(f"“{name}” is required.", field=name)
    return value


def _picture(body: dict[str, Any]) -> list[tuple[str, bytes]]:
    picture = body.get("picture")
    if not picture:
        return []
    if not isinstance(picture, dict) or picture.get("type") not in PICTURE_TYPES:
        raise InvalidInput("Attach a PNG, JPEG, GIF or WebP picture.", field="picture")
    try:
        data = base64.b64decode(str(picture.get("data") or ""), validate=True)
    except binascii.Error as exc:
        raise InvalidInput("The picture is not valid base64.", field="picture") from exc
    if not data or len(data) > MAX_PICTURE:
        raise InvalidInput("The picture must be between 1 byte and 5 MB.", field="picture")
    return [(str(picture["type"]), data)]


class State:
    """Everything the page shows, read from the emulators."""

    def __init__(self, sandbox: Sandbox, client: SlackClient) -> None:
        self.sandbox = sandbox
        self.client = client

    def render(self) -> dict[str, Any]:
        self.client.collect()
        modal = self.client.modal
        view = self.sandbox.slack.view(modal.view_id) if modal else None
        with self.client.lock:
            notices = [vars(n) for n in self.client.notices[-20:]]
        return {
            "members": [{"id": m.user_id, "name": m.real_name, "role": m.role} for m in MEMBERS],
            "numbers": [{"e164": n.e164, "label": n.label, "channel": n.channel_id}
                        for n in NUMBERS],
            "customers": [{"phone": p, "name": name} for p, name, _ in CONTACTS],
            "users": {uid: u["real_name"] for uid, u in self.sandbox.slack.users.items()},
            "channels": [self._channel(cid) for cid in list(self.sandbox.slack.channels)],
            "phones": {p: self._phone(p) for p, _, _ in CONTACTS},
            "modal": {"view": view, "user": modal.user, "errors": modal.errors}
            if modal and view else None,
            "notices": notices,
        }

    def _channel(self, channel_id: str) -> dict[str, Any]:
        slack = self.sandbox.slack
        channel = slack.channels[channel_id]
        messages = [self._message(m) for m in slack.messages_in(channel_id)]
        roots = [m for m in messages if m["thread_ts"] in (None, m["ts"])]
        for root in roots:
            root["replies"] = [m for m in messages
                               if m["thread_ts"] == root["ts"] and m["ts"] != root["ts"]]
        name = channel.name
        if channel.is_im:
            name = slack.users.get(channel.user or "", {}).get("real_name", channel.user or "")
        return {"id": channel.id, "name": name, "is_im": channel.is_im, "messages": roots}

    @staticmethod
    def _message(message: dict[str, Any]) -> dict[str, Any]:
        return {
            "ts": message["ts"], "user": message["user"], "bot": bool(message.get("bot_id")),
            "text": message.get("text") or "", "blocks": message.get("blocks") or [],
            "thread_ts": message.get("thread_ts"), "reactions": sorted(message["reactions"]),
            "files": [{"id": f["id"], "name": f.get("name"), "mimetype": f.get("mimetype")}
                      for f in message.get("files") or []],
        }

    def _phone(self, phone: str) -> list[dict[str, Any]]:
        return [
            {"sid": m.sid, "incoming": m.from_ != phone, "number": m.to if m.from_ == phone
             else m.from_, "body": m.body, "media": m.media, "status": m.status}
            for m in self.sandbox.twilio.conversation(phone)
        ]


def build_page(sandbox: Sandbox) -> Flask:
    page = Flask("smsbridge-sandbox", static_folder=None)
    client = SlackClient(sandbox.slack, app_url=sandbox.app_url, secret=sandbox.signing_secret,
                         team_id=sandbox.team_id)
    state = State(sandbox, client)
    page.extensions["sandbox_client"] = client

    @page.errorhandler(InvalidInput)
    def refused(exc: InvalidInput) -> tuple[Response, int]:
        return jsonify(error=str(exc)), 400

    @page.get("/")
    def index() -> Response:
        return send_from_directory(STATIC, "index.html")

    @page.get("/static/<path:name>")
    def static_file(name: str) -> Response:
        return send_from_directory(STATIC, name)

    @page.get("/api/state")
    def get_state() -> Response:
        return jsonify(state.render())

    @page.post("/api/phone/text")
    def phone_text() -> tuple[Response, int]:
        body = _body()
        customer = parse_phone(_text(body, "from"), field="from").e164
        to = _text(body, "to")
        if to not in {n.e164 for n in NUMBERS}:
            raise InvalidInput(f"{to} is not one of the business numbers.", field="to")
        media = _picture(body)
        text = _text(body, "body", required=not media)
        sms, answer = sandbox.twilio.text_in(from_=customer, to=to, body=text, media=media)
        if answer.status_code != 200:
            return jsonify(error=f"The app answered HTTP {answer.status_code}: {answer.text}"), 502
        return jsonify(sid=sms.sid), 200

    @page.post("/api/slack/say")
    def slack_say() -> Response:
        body = _body()
        ts = client.say(user=_text(body, "user"), channel=_text(body, "channel"),
                        text=_text(body, "text"), thread_ts=body.get("thread_ts") or None)
        return jsonify(ts=ts)

    @page.post("/api/slack/command")
    def slack_command() -> Response:
        body = _body()
        client.command(user=_text(body, "user"), channel=_text(body, "channel"),
                       text=_text(body, "text", required=False))
        return jsonify(ok=True)

    @page.post("/api/slack/click")
    def slack_click() -> Response:
        body = _body()
        action = body.get("action")
        if not isinstance(action, dict) or not action.get("action_id"):
            raise InvalidInput("Which button?", field="action")
        client.click(user=_text(body, "user"), channel=_text(body, "channel"),
                     ts=_text(body, "ts"), action=action)
        return jsonify(ok=True)

    @page.post("/api/slack/view/suggest")
    def view_suggest() -> Response:
        body = _body()
        return jsonify(options=client.suggest(
            action_id=_text(body, "action_id"), block_id=_text(body, "block_id"),
            value=_text(body, "value", required=False), view_id=body.get("view_id")))

    @page.post("/api/slack/view/action")
    def view_action() -> Response:
        body = _body()
        action = body.get("action")
        if not isinstance(action, dict):
            raise InvalidInput("Which input?", field="action")
        client.view_action(action=action, values=dict(body.get("values") or {}),
                           view_id=body.get("view_id"))
        return jsonify(ok=True)

    @page.post("/api/slack/view/submit")
    def view_submit() -> Response:
        body = _body()
        errors = client.submit(values=dict(body.get("values") or {}), view_id=body.get("view_id"))
        return jsonify(errors=errors)

    @page.post("/api/slack/view/close")
    def view_close() -> Response:
        client.close()
        return jsonify(ok=True)

    @page.get("/api/slack/files/<file_id>")
    def slack_file(file_id: str) -> Response:
        found = sandbox.slack.files.get(file_id)
        content = sandbox.slack.file_contents.get(file_id)
        if found is None or content is None:
            return Response("no such file", status=404, mimetype="text/plain")
        return Response(content, mimetype=str(found.get("mimetype") or "application/octet-stream"))

    return page
