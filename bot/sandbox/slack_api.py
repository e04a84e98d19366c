"""In-memory emulator of the Slack Web API, spoken to over real HTTP by slack_sdk's WebClient.
The sandbox (bot/sandbox/) runs it for people; tests/fakes/ re-exports it as FakeSlack.

Usage::

    with SlackEmulator() as slack:
        slack.add_channel("C100", "sms-main", members=[slack.bot_user_id])
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)
        client.chat_postMessage(channel="C100", text="hi")
        assert slack.messages_in("C100")[0]["text"] == "hi"
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import math
import mimetypes
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Request, Response

from bot.sandbox.http_server import EmulatorServer, json_response

__all__ = ["Call", "Channel", "Message", "SlackEmulator"]

Message = dict[str, Any]
"""A stored message: ts, channel, user, bot_id, text, blocks, thread_ts, metadata,
reactions ({name: [user ids]}), edited, files, subtype, reply_broadcast."""

_Handler = Callable[["_Actor", dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str
    params: dict[str, Any]
    monotonic: float
    wall: float
    status: int = 0
    """HTTP status answered; 0 while the call is still in flight (e.g. hung)."""
    ok: bool | None = None
    error: str | None = None
    token: str | None = None


@dataclass
class Channel:
    """A conversation: public/private channel, IM (D...) or MPIM."""

    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    members: set[str] = field(default_factory=set)
    user: str | None = None
    """For an IM: the user on the other side of the bot (or of the token's user)."""
    created: int = field(default_factory=lambda: int(time.time()))
    topic: str = ""
    purpose: str = ""
    team_id: str | None = None
    """The workspace it belongs to (None: the fake's primary team)."""


@dataclass(frozen=True)
class _Actor:
    user_id: str
    is_bot: bool
    token: str
    team_id: str | None = None
    """The workspace the token belongs to (None: the fake's primary team)."""


@dataclass(frozen=True)
class Team:
    """A further workspace the app is installed into (multi-workspace tests)."""

    team_id: str
    name: str
    bot_token: str
    bot_user_id: str


@dataclass
class _Failure:
    status: int
    retry_after: int
    error: str
    remaining: int


@dataclass
class _RandomFailure:
    ratio: float
    status: int
    retry_after: int
    until: float | None
    rng: random.Random


class _SlackError(Exception):
    """An `{"ok": false, "error": ...}` answer (HTTP 200)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class _HttpFailure(Exception):
    """A non-200 answer, e.g. a 429 from the channel rate limit."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _ts_key(ts: str) -> int:
    """Microseconds of a Slack ts string ("1700000000.000100")."""
    try:
        return int(Decimal(str(ts)) * 1_000_000)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a ts: {ts!r}") from exc


def _encode_cursor(kind: str, value: str) -> str:
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def _decode_cursor(cursor: str, kind: str) -> str:
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _SlackError("invalid_cursor") from exc
    prefix = f"{kind}:"
    if not decoded.startswith(prefix):
        raise _SlackError("invalid_cursor")
    return decoded[len(prefix) :]


def _as_bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise _SlackError("invalid_arguments") from exc


def _as_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _as_json(value: Any, error: str = "invalid_arguments") -> Any:
    """Decode a JSON-string parameter (form bodies) or pass a JSON-body value through."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise _SlackError(error) from exc
    return value


DEFAULT_BOT_SCOPES = (
    "channels:history", "groups:history", "channels:read", "groups:read", "channels:join",
    "chat:write", "reactions:write", "commands", "files:read", "files:write", "users:read",
    "im:write", "im:history",
)


class SlackEmulator(EmulatorServer):
    """Fake Slack Web API (plus file upload/download endpoints) on 127.0.0.1."""

    team_id = "T0001"
    team_name = "Acme"
    team_domain = "acme"
    bot_token = "xoxb-test-token"
    bot_user_id = "UBOT"
    bot_id = "B0001"
    app_id = "A0001"
    bot_name = "smsbridge"
    # OAuth (multi-workspace mode) and Socket Mode credentials the fake accepts.
    client_id = "1111.2222"
    client_secret = "fake-client-secret"
    app_token = "xapp-1-test-token"

    def __init__(self, *, seed: int = 0) -> None:
        super().__init__()
        self._seed = seed
        #: Further workspaces by team id; their bot tokens are accepted like `bot_token`.
        self.teams: dict[str, Team] = {}
        #: oauth.v2.access answers given: team id, code.
        self.oauth_grants: list[dict[str, str]] = []
        self._oauth_codes: dict[str, str] = {}
        #: Extra accepted tokens: token -> user id (user tokens, "xoxp-...").
        self.user_tokens: dict[str, str] = {}
        #: Directory: user id -> Slack user object (as users.info returns it).
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.calls: list[Call] = []
        #: chat.postEphemeral records: channel, user, text, blocks, thread_ts, message_ts.
        self.ephemerals: list[dict[str, Any]] = []
        #: views.* records: method, view (the view object answered), trigger_id, user_id.
        self.views: list[dict[str, Any]] = []
        #: Messages posted to interaction response_urls: url, and the JSON body.
        self.responses: list[dict[str, Any]] = []
        #: Current App Home view per user (views.publish).
        self.home_views: dict[str, dict[str, Any]] = {}
        #: Shared/hosted file objects by id, and their bytes.
        self.files: dict[str, dict[str, Any]] = {}
        self.file_contents: dict[str, bytes] = {}
        #: Download requests on url_private(_download): path, authorization, status.
        self.file_requests: list[dict[str, Any]] = []
        #: Posts refused / accepted by enforce_channel_rate, per channel id.
        self.rate_limited: Counter[str] = Counter()
        self.rate_accepted: Counter[str] = Counter()

        #: Scopes the bot token was granted: sent in `X-OAuth-Scopes` on its calls.
        self.granted_scopes: list[str] = list(DEFAULT_BOT_SCOPES)

        self._messages: dict[str, list[Message]] = {}
        self._by_ts: dict[tuple[str, str], Message] = {}
        self._last_ts_us = 0
        self._id_counter = 0
        self._uploads: dict[str, dict[str, Any]] = {}
        self._views_by_id: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._random_failures: dict[str, _RandomFailure] = {}
        self._channel_rate: float | None = None
        self._last_post: dict[str, float] = {}

        self._methods: dict[str, _Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.join": self._conversations_join,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "team.info": self._team_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.info": self._files_info,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(self.bot_user_id, self.bot_name, real_name="SMS Bridge", is_bot=True)

    # -- addresses ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """Base URL for `WebClient(base_url=...)`: `http://127.0.0.1:PORT/api/`."""
        return f"{self.base_url}/api/"

    # -- directory set-up --------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        *,
        email: str | None = None,
        display_name: str | None = None,
        tz: str = "America/New_York",
        team_id: str | None = None,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace member (of `team_id`, default the primary team);
        returns the Slack user object."""
        team = team_id or self.team_id
        real = real_name if real_name is not None else name
        display = display_name if display_name is not None else ("" if is_bot else name)
        profile: dict[str, Any] = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": display,
            "display_name_normalized": display,
            "first_name": real.split(" ")[0] if real else "",
            "last_name": " ".join(real.split(" ")[1:]) if real else "",
            "title": "",
            "phone": "",
            "status_text": "",
            "status_emoji": "",
            "image_24": f"https://avatars.example.invalid/{user_id}_24.png",
            "image_72": f"https://avatars.example.invalid/{user_id}_72.png",
            "image_192": f"https://avatars.example.invalid/{user_id}_192.png",
            "team": team,
        }
        if email is not None:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else f"B{user_id}"
            profile["api_app_id"] = self.app_id if user_id == self.bot_user_id else ""
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "tz_label": "Eastern Standard Time",
            "tz_offset": -18000,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "is_email_confirmed": email is not None,
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_user_token(self, token: str, user_id: str) -> None:
        """Accept `token` as a user token acting as `user_id`."""
        with self._lock:
            self.user_tokens[token] = user_id

    def add_channel(
        self,
        channel_id: str,
        name: str,
        is_private: bool = False,
        members: Iterable[str] = (),
        *,
        is_archived: bool = False,
        team_id: str | None = None,
    ) -> Channel:
        """Add a channel (of `team_id`, default the primary team). The bot is a member only
        if listed in `members` (or it joins)."""
        channel = Channel(
            id=channel_id,
            name=name,
            is_private=is_private,
            members=set(members),
            is_archived=is_archived,
            team_id=None if team_id == self.team_id else team_id,
        )
        with self._lock:
            self.channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
        return channel

    def add_team(self, team_id: str, name: str, *, bot_token: str, bot_user_id: str) -> Team:
        """A further workspace with its own bot user and token (multi-workspace tests)."""
        team = Team(team_id, name, bot_token, bot_user_id)
        with self._lock:
            self.teams[team_id] = team
        self.add_user(bot_user_id, self.bot_name, real_name="SMS Bridge", is_bot=True,
                      team_id=team_id)
        return team

    def socket_url(self) -> str:
        """Where apps.connections.open sends a Socket Mode client (lock held). The sandbox
        speaks HTTP only; the test fake (tests/fakes/slack.py) runs a WebSocket server."""
        raise _SlackError("socket_mode_not_supported")

    def archive_channel(self, channel_id: str, archived: bool = True) -> None:
        """Mark a channel archived (posts then fail with is_archived)."""
        with self._lock:
            self.channels[channel_id].is_archived = archived

    def add_message(
        self,
        channel: str,
        *,
        user: str,
        text: str,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        reply_broadcast: bool = False,
    ) -> Message:
        """Insert a message as if `user` (a person) posted it; no checks, no Call."""
        with self._lock:
            ch = self._resolve_channel(channel, None, for_post=True)
            msg = self._post(
                ch,
                _Actor(user, False, ""),
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                metadata=metadata,
                reply_broadcast=reply_broadcast,
            )
            return copy.deepcopy(msg)

    def add_file(
        self,
        file_id: str,
        name: str,
        mimetype: str,
        content: bytes,
        *,
        title: str | None = None,
        user: str | None = None,
    ) -> dict[str, Any]:
        """Host a file; returns its Slack file object (url_private, url_private_download)."""
        with self._lock:
            return copy.deepcopy(
                self._make_file(file_id, name, title or name, mimetype, content, user or "U0000")
            )

    # -- inspection --------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one Web API method, in arrival order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def dm_channel(self, user_id: str) -> str | None:
        """Id of the bot's IM with `user_id`, if one was opened."""
        with self._lock:
            for ch in self.channels.values():
                if ch.is_im and ch.user == user_id and self.bot_user_id in ch.members:
                    return ch.id
        return None

    def messages_in(self, channel: str) -> list[Message]:
        """Copies of all messages of a channel (replies included), in post order.

        A user id (U...) means the bot's DM with that user.
        """
        with self._lock:
            cid = self._dm_id_locked(channel)
            return copy.deepcopy(self._messages.get(cid, []))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """Copies of the replies of a thread (root excluded), in post order."""
        with self._lock:
            cid = self._dm_id_locked(channel)
            return copy.deepcopy(
                [
                    m
                    for m in self._messages.get(cid, [])
                    if m["thread_ts"] == thread_ts and m["ts"] != thread_ts
                ]
            )

    def message(self, channel: str, ts: str) -> Message | None:
        """Copy of one message, or None."""
        with self._lock:
            msg = self._by_ts.get((self._dm_id_locked(channel), ts))
            return copy.deepcopy(msg) if msg is not None else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        """Copy of a view (modal or home) as it is now, or None."""
        with self._lock:
            found = self._views_by_id.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def describe(self) -> str:
        """Summary used in wait_for failures."""
        with self._lock:
            recent = ", ".join(f"{c.method}->{c.status}/{c.error or 'ok'}" for c in self.calls[-8:])
            counts = {cid: len(msgs) for cid, msgs in self._messages.items() if msgs}
            failed = [
                f"{c.method}({c.params})->{c.error or c.status}"
                for c in self.calls
                if c.status not in (0, 200) or c.ok is False
            ][-3:]
        return (
            f"{len(self.calls)} calls (last: {recent or 'none'}); "
            f"messages per channel: {counts}; last failures: {failed or 'none'}"
        )

    # -- failure injection -------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str = "ratelimited",
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail (429 + Retry-After, 5xx, or 200+error)."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(status, retry_after, error, times)
            )

    def fail_ratio(
        self,
        method: str,
        ratio: float,
        *,
        status: int = 429,
        retry_after: int = 1,
        until: float | None = None,
        seed: int | None = None,
    ) -> None:
        """Fail a seeded-random `ratio` of calls to `method`, for `until` seconds (or forever)."""
        deadline = time.monotonic() + until if until is not None else None
        rng = random.Random(self._seed if seed is None else seed)
        with self._lock:
            self._random_failures[method] = _RandomFailure(
                ratio, status, retry_after, deadline, rng
            )

    def clear_failures(self) -> None:
        """Drop all pending injected failures, random failures and the channel rate limit."""
        with self._lock:
            self._failures.clear()
            self._random_failures.clear()
            self._channel_rate = None

    def enforce_channel_rate(self, seconds: float | None = 1.0) -> None:
        """429 a chat.postMessage sooner than `seconds` after the last accepted one there."""
        with self._lock:
            self._channel_rate = seconds if seconds else None
            self._last_post.clear()

    def hang_next(self, method: str, *, record: bool, times: int = 1) -> threading.Event:
        """Hold the next call(s) to `method` until the returned event is set or stop().

        record=True applies the call's effect before hanging and answers normally
        when released; record=False applies nothing and answers HTTP 500 when released.
        """
        with self._lock:
            return self._hangs.add(method, record=record, times=times)

    # -- HTTP dispatch -----------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Route: /api/<method>, /upload/v1/<file id>, /files-pri/..., / (login page)."""
        path = request.path
        if path.startswith("/api/"):
            return self._api(request, path[len("/api/") :])
        if path.startswith("/upload/v1/") and request.method == "POST":
            return self._upload(request, path[len("/upload/v1/") :])
        if path.startswith("/files-pri/") and request.method in ("GET", "HEAD"):
            return self._download(request)
        if path.startswith("/actions/") and request.method == "POST":
            return self._response_url(request)
        if path == "/oauth/v2/authorize" and request.method == "GET":
            return self._authorize(request)
        if path == "/":
            return Response(
                "<!DOCTYPE html><html><head><title>Sign in | Slack</title></head>"
                "<body><form>Sign in to Acme</form></body></html>",
                mimetype="text/html",
            )
        return Response("Not Found", status=404, mimetype="text/plain")

    def response_url(self) -> str:
        """A fresh response_url, as Slack puts in shortcut and block_actions payloads."""
        with self._lock:
            return f"{self.base_url}/actions/{self.team_id}/{self._next_id('R')}/secret"

    def _response_url(self, request: Request) -> Response:
        """Slack accepts a JSON message on a response_url and answers `ok` (plain text)."""
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except json.JSONDecodeError:
            return Response("invalid_payload", status=400, mimetype="text/plain")
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return Response("no_text", status=400, mimetype="text/plain")
        with self._lock:
            self.responses.append({"url": request.url, "body": body})
        return Response("ok", mimetype="text/plain")

    def _authorize(self, request: Request) -> Response:
        """The consent page, already agreed to: back to redirect_uri with a code for the
        team asked for (`team`, else the primary team) and the state as given."""
        if request.args.get("client_id") != self.client_id:
            return Response("invalid client_id", status=400, mimetype="text/plain")
        team_id = request.args.get("team") or self.team_id
        with self._lock:
            code = self._next_id("code")
            self._oauth_codes[code] = team_id
        query = urlencode({"code": code, "state": request.args.get("state", "")})
        return Response("", status=302, headers={
            "Location": f"{request.args.get('redirect_uri', '')}?{query}"
        })

    def _oauth_v2_access(self, request: Request, params: dict[str, Any]) -> Response:
        """Exchange a code (client credentials as HTTP Basic or form fields) for the
        installed team's bot token."""
        auth = request.authorization
        client = (auth.username, auth.password) if auth else (
            params.get("client_id"), params.get("client_secret")
        )
        if client != (self.client_id, self.client_secret):
            return json_response({"ok": False, "error": "invalid_client_id"})
        with self._lock:
            team_id = self._oauth_codes.pop(str(params.get("code") or ""), None)
            if team_id is None:
                return json_response({"ok": False, "error": "invalid_code"})
            team = self.teams.get(team_id)
            token, bot_user, name = (
                (team.bot_token, team.bot_user_id, team.name) if team
                else (self.bot_token, self.bot_user_id, self.team_name)
            )
            self.oauth_grants.append({"team_id": team_id, "code": str(params.get("code"))})
            scopes = ",".join(self.granted_scopes)
        return json_response({
            "ok": True, "app_id": self.app_id, "authed_user": {"id": "U0INSTALLER"},
            "scope": scopes, "token_type": "bot", "access_token": token,
            "bot_user_id": bot_user, "team": {"id": team_id, "name": name},
            "enterprise": None, "is_enterprise_install": False,
        })

    def _api(self, request: Request, method: str) -> Response:
        params = self._parse_params(request)
        token = self._request_token(request, params)
        params.pop("token", None)
        call = Call(method, params, time.monotonic(), time.time(), token=token)
        with self._lock:
            self.calls.append(call)
        if method == "oauth.v2.access":
            response = self._oauth_v2_access(request, params)
        else:
            response = self._api_answer(method, params, token)
        body: Any = None
        if response.mimetype == "application/json":
            body = json.loads(response.get_data())
        with self._lock:
            call.status = response.status_code
            if isinstance(body, dict):
                call.ok = bool(body.get("ok"))
                call.error = body.get("error")
        return response

    def _api_answer(self, method: str, params: dict[str, Any], token: str | None) -> Response:
        response = self._api_answer_body(method, params, token)
        with self._lock:
            # Slack reports an authenticated token's scopes on every Web API answer.
            if token is not None and self._actor(token) is not None:
                actor = self._actor(token)
                scopes = self.granted_scopes if actor is not None and actor.is_bot else []
                response.headers["X-OAuth-Scopes"] = ",".join(scopes)
        return response

    def _api_answer_body(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> Response:
        with self._lock:
            if token is None:
                return json_response({"ok": False, "error": "not_authed"})
            actor = self._actor(token)
            if actor is None:
                return json_response({"ok": False, "error": "invalid_auth"})
            handler = self._methods.get(method)
            if handler is None:
                return json_response({"ok": False, "error": "unknown_method", "req_method": method})
            failure = self._take_failure(method)
            hang = self._hangs.take(method)
        if failure is not None:
            return failure
        if hang is not None and not hang[0]:
            self._hang(hang[1])
            return json_response({"ok": False, "error": "fatal_error"}, status=500)
        with self._lock:
            try:
                response = json_response({"ok": True, **handler(actor, params)})
            except _SlackError as exc:
                response = json_response({"ok": False, "error": exc.error, **exc.extra})
            except _HttpFailure as exc:
                response = exc.response
        if hang is not None and not self._hang(hang[1]):
            return json_response({"ok": False, "error": "fatal_error"}, status=500)
        return response

    @staticmethod
    def _parse_params(request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.args.items())
        if request.mimetype == "application/json":
            body = request.get_json(silent=True)
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update(request.form.items())
            for key, storage in request.files.items():
                params[key] = f"<file {storage.filename!r}>"
        return params

    @staticmethod
    def _request_token(request: Request, params: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header[len("Bearer ") :].strip() or None
        if request.mimetype != "application/json":
            token = params.get("token")
            return token if isinstance(token, str) and token else None
        return None

    def _actor(self, token: str) -> _Actor | None:
        if token == self.bot_token:
            return _Actor(self.bot_user_id, True, token)
        if token == self.app_token:
            return _Actor("", False, token)
        for team in self.teams.values():
            if token == team.bot_token:
                return _Actor(team.bot_user_id, True, token, team.team_id)
        user = self.user_tokens.get(token)
        return _Actor(user, False, token) if user is not None else None

    def _take_failure(self, method: str) -> Response | None:
        queue = self._failures.get(method)
        if queue:
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
            return self._failure_response(failure.status, failure.retry_after, failure.error)
        rnd = self._random_failures.get(method)
        if rnd is not None:
            if rnd.until is not None and time.monotonic() >= rnd.until:
                del self._random_failures[method]
            elif rnd.rng.random() < rnd.ratio:
                return self._failure_response(rnd.status, rnd.retry_after, "ratelimited")
        return None

    @staticmethod
    def _failure_response(status: int, retry_after: int, error: str) -> Response:
        if status == 429:
            return json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, int(retry_after)))},
            )
        if status == 200:
            return json_response({"ok": False, "error": error})
        return json_response(
            {"ok": False, "error": "fatal_error" if error == "ratelimited" else error},
            status=status,
        )

    # -- internal helpers (call with the lock held) ------------------------------------

    def _next_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:09X}"

    def _next_ts(self) -> str:
        us = max(time.time_ns() // 1000, self._last_ts_us + 1)
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _dm_id_locked(self, channel: str) -> str:
        if channel[:1] in ("U", "W") and channel not in self.channels:
            for ch in self.channels.values():
                if ch.is_im and ch.user == channel and self.bot_user_id in ch.members:
                    return ch.id
        return channel

    def _open_im(self, me: str, other: str) -> tuple[Channel, bool]:
        for ch in self.channels.values():
            if ch.is_im and ch.members == {me, other}:
                return ch, True
        ch = Channel(id=self._next_id("D"), name=other, is_im=True, members={me, other}, user=other)
        self.channels[ch.id] = ch
        self._messages[ch.id] = []
        return ch, False

    def _resolve_channel(self, value: Any, actor: _Actor | None, *, for_post: bool) -> Channel:
        ch = self._resolve_any_channel(value, actor, for_post=for_post)
        if actor is not None and ch.team_id != actor.team_id:
            raise _SlackError("channel_not_found")  # another workspace's channel
        return ch

    def _in_team(self, user_id: str | None, actor: _Actor) -> bool:
        user = self.users.get(user_id or "")
        return user is not None and user["team_id"] == (actor.team_id or self.team_id)

    def _resolve_any_channel(
        self, value: Any, actor: _Actor | None, *, for_post: bool
    ) -> Channel:
        cid = _as_str(value)
        if cid is None:
            raise _SlackError("channel_not_found")
        if cid in self.channels:
            return self.channels[cid]
        if for_post and cid[:1] in ("U", "W") and cid in self.users:
            me = actor.user_id if actor is not None else self.bot_user_id
            im = self._open_im(me, cid)[0]
            im.team_id = actor.team_id if actor is not None else None
            return im
        name = cid.lstrip("#")
        for ch in self.channels.values():
            if not ch.is_im and ch.name == name:
                return ch
        raise _SlackError("channel_not_found")

    def _readable_channel(self, value: Any, actor: _Actor) -> Channel:
        ch = self._resolve_channel(value, actor, for_post=False)
        if actor.user_id not in ch.members:
            if ch.is_private or ch.is_im or ch.is_mpim:
                raise _SlackError("channel_not_found")
            raise _SlackError("not_in_channel")
        return ch

    def _postable_channel(self, value: Any, actor: _Actor) -> Channel:
        ch = self._resolve_channel(value, actor, for_post=True)
        if ch.is_archived:
            raise _SlackError("is_archived")
        if actor.user_id not in ch.members:
            raise _SlackError("not_in_channel")
        return ch

    def _find_message(self, channel: str, ts: Any) -> Message:
        ts_str = _as_str(ts)
        msg = self._by_ts.get((channel, ts_str)) if ts_str else None
        if msg is None:
            raise _SlackError("message_not_found")
        return msg

    @staticmethod
    def _is_top_level(msg: Message) -> bool:
        thread_ts = msg["thread_ts"]
        return thread_ts is None or thread_ts == msg["ts"] or bool(msg["reply_broadcast"])

    @staticmethod
    def _blocks(value: Any) -> list[dict[str, Any]] | None:
        blocks = _as_json(value, "invalid_blocks_format")
        if blocks is None or blocks == "":
            return None
        if not isinstance(blocks, list) or len(blocks) > 50:
            raise _SlackError("invalid_blocks")
        for block in blocks:
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                raise _SlackError("invalid_blocks")
        return blocks

    @staticmethod
    def _metadata(value: Any) -> dict[str, Any] | None:
        metadata = _as_json(value, "invalid_metadata_format")
        if metadata is None or metadata == "":
            return None
        if (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise _SlackError("invalid_metadata_format")
        return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}

    def _post(
        self,
        ch: Channel,
        actor: _Actor,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
        reply_broadcast: bool = False,
        files: list[dict[str, Any]] | None = None,
        flags: dict[str, Any] | None = None,
    ) -> Message:
        if thread_ts is not None:
            parent = self._by_ts.get((ch.id, thread_ts))
            if parent is not None:
                if parent["thread_ts"] not in (None, parent["ts"]):
                    thread_ts = parent["thread_ts"]
                    parent = self._by_ts.get((ch.id, thread_ts or ""))
                if parent is not None:
                    parent["thread_ts"] = parent["ts"]
        msg: Message = {
            "ts": self._next_ts(),
            "channel": ch.id,
            "user": actor.user_id,
            "bot_id": self.bot_id if actor.is_bot else None,
            "text": text,
            "blocks": blocks,
            "thread_ts": thread_ts,
            "metadata": metadata,
            "reactions": {},
            "edited": None,
            "files": files,
            "subtype": "thread_broadcast" if thread_ts and reply_broadcast else None,
            "reply_broadcast": bool(thread_ts and reply_broadcast),
        }
        msg.update(flags or {})
        self._messages.setdefault(ch.id, []).append(msg)
        self._by_ts[(ch.id, msg["ts"])] = msg
        return msg

    def _replies_of(self, channel: str, root_ts: str) -> list[Message]:
        return [
            m
            for m in self._messages.get(channel, [])
            if m["thread_ts"] == root_ts and m["ts"] != root_ts
        ]

    def _render_message(self, msg: Message, *, include_metadata: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message"}
        if msg["subtype"]:
            out["subtype"] = msg["subtype"]
        out.update({"text": msg["text"], "user": msg["user"], "ts": msg["ts"]})
        out["team"] = self.team_id
        if msg["bot_id"]:
            out["bot_id"] = msg["bot_id"]
            out["app_id"] = self.app_id
            out["bot_profile"] = {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            }
        if msg["blocks"] is not None:
            out["blocks"] = copy.deepcopy(msg["blocks"])
        if msg["files"]:
            out["files"] = copy.deepcopy(msg["files"])
            out["upload"] = True
        thread_ts = msg["thread_ts"]
        if thread_ts is not None:
            out["thread_ts"] = thread_ts
            if thread_ts == msg["ts"]:
                replies = self._replies_of(msg["channel"], msg["ts"])
                users = list(dict.fromkeys(r["user"] for r in replies))
                out["reply_count"] = len(replies)
                out["reply_users_count"] = len(users)
                out["reply_users"] = users[:5]
                out["latest_reply"] = replies[-1]["ts"] if replies else msg["ts"]
                out["is_locked"] = False
                out["subscribed"] = False
            else:
                root = self._by_ts.get((msg["channel"], thread_ts))
                out["parent_user_id"] = root["user"] if root is not None else msg["user"]
        if msg["reactions"]:
            out["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in msg["reactions"].items()
            ]
        if msg["edited"] is not None:
            out["edited"] = dict(msg["edited"])
        if include_metadata and msg["metadata"] is not None:
            out["metadata"] = copy.deepcopy(msg["metadata"])
        return out

    def _render_channel(self, ch: Channel, actor: _Actor) -> dict[str, Any]:
        if ch.is_im:
            return {
                "id": ch.id,
                "created": ch.created,
                "is_im": True,
                "is_org_shared": False,
                "user": ch.user,
                "is_user_deleted": bool(self.users.get(ch.user or "", {}).get("deleted")),
                "is_archived": False,
                "is_open": True,
                "priority": 0,
            }
        return {
            "id": ch.id,
            "name": ch.name,
            "name_normalized": ch.name,
            "is_channel": not ch.is_private and not ch.is_mpim,
            "is_group": ch.is_private and not ch.is_mpim,
            "is_im": False,
            "is_mpim": ch.is_mpim,
            "is_private": ch.is_private,
            "created": ch.created,
            "creator": "",
            "is_archived": ch.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_member": actor.user_id in ch.members,
            "topic": {"value": ch.topic, "creator": "", "last_set": 0},
            "purpose": {"value": ch.purpose, "creator": "", "last_set": 0},
            "previous_names": [],
        }

    def _time_window(self, params: dict[str, Any]) -> tuple[int, int, bool]:
        try:
            oldest = _ts_key(_as_str(params.get("oldest")) or "0")
        except ValueError as exc:
            raise _SlackError("invalid_ts_oldest") from exc
        latest_raw = _as_str(params.get("latest"))
        try:
            latest = _ts_key(latest_raw) if latest_raw else 2**62
        except ValueError as exc:
            raise _SlackError("invalid_ts_latest") from exc
        return oldest, latest, _as_bool(params.get("inclusive"))

    @staticmethod
    def _in_window(ts: str, oldest: int, latest: int, inclusive: bool) -> bool:
        key = _ts_key(ts)
        if inclusive:
            return oldest <= key <= latest
        return oldest < key < latest

    @staticmethod
    def _limit(params: dict[str, Any], default: int, maximum: int) -> int:
        limit = _as_int(params.get("limit"), default)
        return default if limit <= 0 else min(limit, maximum)

    def _make_file(
        self, file_id: str, name: str, title: str, mimetype: str, content: bytes, user: str
    ) -> dict[str, Any]:
        base = f"{self.base_url}/files-pri/{self.team_id}-{file_id}"
        quoted = quote(name)
        now = int(time.time())
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        file_obj: dict[str, Any] = {
            "id": file_id,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": title,
            "mimetype": mimetype,
            "filetype": ext,
            "pretty_type": ext.upper(),
            "user": user,
            "user_team": self.team_id,
            "editable": False,
            "size": len(content),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/{quoted}",
            "url_private_download": f"{base}/download/{quoted}",
            "permalink": f"https://{self.team_domain}.slack.com/files/{user}/{file_id}/{quoted}",
            "permalink_public": f"https://slack-files.com/{self.team_id}-{file_id}-0000000000",
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
            "comments_count": 0,
        }
        self.files[file_id] = file_obj
        self.file_contents[file_id] = content
        return file_obj

    def _share(self, file_obj: dict[str, Any], ch: Channel, msg: Message) -> None:
        kind = "ims" if ch.is_im else ("groups" if ch.is_private or ch.is_mpim else "channels")
        if ch.id not in file_obj[kind]:
            file_obj[kind].append(ch.id)
        visibility = "public" if kind == "channels" else "private"
        share: dict[str, Any] = {"ts": msg["ts"], "channel_name": ch.name, "team_id": self.team_id}
        if msg["thread_ts"]:
            share["thread_ts"] = msg["thread_ts"]
        file_obj["shares"].setdefault(visibility, {}).setdefault(ch.id, []).append(share)
        file_obj["is_public"] = file_obj["is_public"] or visibility == "public"

    # -- Web API methods (lock held) ---------------------------------------------------

    def _api_test(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        return {"args": {k: v for k, v in params.items() if isinstance(v, str)}}

    def _apps_connections_open(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        if actor.token != self.app_token:
            raise _SlackError("not_allowed_token_type")
        return {"url": self.socket_url()}

    def _auth_test(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(actor.user_id, {})
        team = self.teams.get(actor.team_id or "")
        result: dict[str, Any] = {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": team.name if team else self.team_name,
            "user": user.get("name", actor.user_id),
            "team_id": team.team_id if team else self.team_id,
            "user_id": actor.user_id,
            "is_enterprise_install": False,
        }
        if actor.is_bot:
            result["bot_id"] = self.bot_id
        return result

    def _chat_post_message(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=True)
        if ch.is_archived:
            raise _SlackError("is_archived")
        if actor.user_id not in ch.members:
            raise _SlackError("not_in_channel")
        text = _as_str(params.get("text")) or ""
        blocks = self._blocks(params.get("blocks"))
        attachments = _as_json(params.get("attachments"))
        if not text and not blocks and not attachments:
            raise _SlackError("no_text")
        if len(text) > 40_000:
            raise _SlackError("msg_too_long")
        metadata = self._metadata(params.get("metadata"))
        thread_ts = _as_str(params.get("thread_ts"))
        if thread_ts is not None:
            try:
                _ts_key(thread_ts)
            except ValueError as exc:
                raise _SlackError("invalid_thread_ts") from exc
        now = time.monotonic()
        if self._channel_rate is not None:
            last = self._last_post.get(ch.id)
            if last is not None and now - last < self._channel_rate:
                self.rate_limited[ch.id] += 1
                wait = math.ceil(self._channel_rate - (now - last))
                raise _HttpFailure(self._failure_response(429, max(1, wait), "ratelimited"))
            self._last_post[ch.id] = now
            self.rate_accepted[ch.id] += 1
        flags: dict[str, Any] = {
            key: _as_bool(params[key])
            for key in ("unfurl_links", "unfurl_media", "mrkdwn")
            if key in params
        }
        if attachments:
            flags["attachments"] = attachments
        msg = self._post(
            ch,
            actor,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            metadata=metadata,
            reply_broadcast=_as_bool(params.get("reply_broadcast")),
            flags=flags,
        )
        return {"channel": ch.id, "ts": msg["ts"], "message": self._render_message(msg)}

    def _chat_post_ephemeral(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._postable_channel(params.get("channel"), actor)
        user = _as_str(params.get("user"))
        if user is None or user not in self.users:
            raise _SlackError("user_not_found")
        if user not in ch.members:
            raise _SlackError("user_not_in_channel")
        text = _as_str(params.get("text")) or ""
        blocks = self._blocks(params.get("blocks"))
        if not text and not blocks and not params.get("attachments"):
            raise _SlackError("no_text")
        message_ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": ch.id,
                "user": user,
                "text": text,
                "blocks": blocks,
                "thread_ts": _as_str(params.get("thread_ts")),
                "message_ts": message_ts,
            }
        )
        return {"message_ts": message_ts}

    def _chat_update(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        msg = self._find_message(ch.id, params.get("ts"))
        if msg["user"] != actor.user_id:
            raise _SlackError("cant_update_message")
        if ch.is_archived:
            raise _SlackError("is_archived")
        if "text" in params and params["text"] is not None:
            msg["text"] = _as_str(params["text"]) or ""
        if "blocks" in params and params["blocks"] is not None:
            msg["blocks"] = self._blocks(params["blocks"]) or []
        if params.get("metadata") not in (None, ""):
            msg["metadata"] = self._metadata(params["metadata"])
        if not msg["text"] and not msg["blocks"]:
            raise _SlackError("no_text")
        msg["edited"] = {"user": actor.user_id, "ts": self._next_ts()}
        rendered = self._render_message(msg)
        return {"channel": ch.id, "ts": msg["ts"], "text": msg["text"], "message": rendered}

    def _chat_delete(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        msg = self._find_message(ch.id, params.get("ts"))
        if msg["user"] != actor.user_id:
            raise _SlackError("cant_delete_message")
        self._messages[ch.id].remove(msg)
        del self._by_ts[(ch.id, msg["ts"])]
        return {"channel": ch.id, "ts": msg["ts"]}

    def _chat_get_permalink(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        msg = self._find_message(ch.id, params.get("message_ts"))
        link = (
            f"https://{self.team_domain}.slack.com/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
        )
        if msg["thread_ts"] not in (None, msg["ts"]):
            link += f"?thread_ts={msg['thread_ts']}&cid={ch.id}"
        return {"channel": ch.id, "permalink": link}

    def _reaction_target(self, actor: _Actor, params: dict[str, Any]) -> tuple[Message, str]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        msg = self._find_message(ch.id, params.get("timestamp"))
        name = (_as_str(params.get("name")) or "").strip(":")
        if not name:
            raise _SlackError("invalid_name")
        return msg, name

    def _reactions_add(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        msg, name = self._reaction_target(actor, params)
        users: list[str] = msg["reactions"].setdefault(name, [])
        if actor.user_id in users:
            raise _SlackError("already_reacted")
        users.append(actor.user_id)
        return {}

    def _reactions_remove(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        msg, name = self._reaction_target(actor, params)
        users: list[str] = msg["reactions"].get(name, [])
        if actor.user_id not in users:
            raise _SlackError("no_reaction")
        users.remove(actor.user_id)
        if not users:
            del msg["reactions"][name]
        return {}

    def _conversations_history(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._readable_channel(params.get("channel"), actor)
        oldest, latest, inclusive = self._time_window(params)
        limit = self._limit(params, 100, 999)
        with_metadata = _as_bool(params.get("include_all_metadata"))
        candidates = [
            m
            for m in reversed(self._messages.get(ch.id, []))
            if self._is_top_level(m) and self._in_window(m["ts"], oldest, latest, inclusive)
        ]
        cursor = _as_str(params.get("cursor"))
        if cursor:
            start = _ts_key(_decode_cursor(cursor, "next_ts"))
            candidates = [m for m in candidates if _ts_key(m["ts"]) <= start]
        page, rest = candidates[:limit], candidates[limit:]
        return {
            "messages": [self._render_message(m, include_metadata=with_metadata) for m in page],
            "has_more": bool(rest),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {
                "next_cursor": _encode_cursor("next_ts", rest[0]["ts"]) if rest else ""
            },
        }

    def _conversations_replies(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._readable_channel(params.get("channel"), actor)
        ts = _as_str(params.get("ts"))
        root = self._by_ts.get((ch.id, ts)) if ts else None
        if root is None:
            raise _SlackError("thread_not_found")
        if root["thread_ts"] not in (None, root["ts"]):
            root = self._by_ts.get((ch.id, root["thread_ts"]), root)
        oldest, latest, inclusive = self._time_window(params)
        limit = self._limit(params, 1000, 1000)
        with_metadata = _as_bool(params.get("include_all_metadata"))
        replies = [
            m
            for m in self._replies_of(ch.id, root["ts"])
            if self._in_window(m["ts"], oldest, latest, inclusive)
        ]
        cursor = _as_str(params.get("cursor"))
        if cursor:
            start = _ts_key(_decode_cursor(cursor, "next_ts"))
            replies = [m for m in replies if _ts_key(m["ts"]) >= start]
        page, rest = replies[:limit], replies[limit:]
        messages = [root, *page]
        return {
            "messages": [self._render_message(m, include_metadata=with_metadata) for m in messages],
            "has_more": bool(rest),
            "response_metadata": {
                "next_cursor": _encode_cursor("next_ts", rest[0]["ts"]) if rest else ""
            },
        }

    def _conversations_join(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        if ch.is_private or ch.is_im or ch.is_mpim:
            raise _SlackError("method_not_supported_for_channel_type")
        if ch.is_archived:
            raise _SlackError("is_archived")
        result: dict[str, Any] = {}
        if actor.user_id in ch.members:
            result["warning"] = "already_in_channel"
            result["response_metadata"] = {"warnings": ["already_in_channel"]}
        ch.members.add(actor.user_id)
        result["channel"] = self._render_channel(ch, actor)
        return result

    def _conversations_info(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        if (ch.is_private or ch.is_im or ch.is_mpim) and actor.user_id not in ch.members:
            raise _SlackError("channel_not_found")
        rendered = self._render_channel(ch, actor)
        if _as_bool(params.get("include_num_members")) and not ch.is_im:
            rendered["num_members"] = len(ch.members)
        return {"channel": rendered}

    def _conversations_open(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        channel = _as_str(params.get("channel"))
        if channel is not None:
            ch = self._readable_channel(channel, actor)
            already = True
        else:
            users = [u.strip() for u in (_as_str(params.get("users")) or "").split(",") if u]
            if not users:
                raise _SlackError("users_list_not_supplied")
            for user in users:
                if user not in self.users:
                    raise _SlackError("user_not_found")
            if len(users) == 1:
                ch, already = self._open_im(actor.user_id, users[0])
            else:
                members = {actor.user_id, *users}
                found = [c for c in self.channels.values() if c.is_mpim and c.members == members]
                already = bool(found)
                if found:
                    ch = found[0]
                else:
                    name = "mpdm-" + "--".join(sorted(members)) + "-1"
                    ch = Channel(
                        id=self._next_id("G"),
                        name=name,
                        is_private=True,
                        is_mpim=True,
                        members=members,
                    )
                    self.channels[ch.id] = ch
                    self._messages[ch.id] = []
        result: dict[str, Any] = {"channel": {"id": ch.id}}
        if _as_bool(params.get("return_im")):
            result["channel"] = self._render_channel(ch, actor)
        if already:
            result["no_op"] = True
            result["already_open"] = True
        return result

    def _conversations_members(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        ch = self._resolve_channel(params.get("channel"), actor, for_post=False)
        if (ch.is_private or ch.is_im or ch.is_mpim) and actor.user_id not in ch.members:
            raise _SlackError("channel_not_found")
        members = sorted(ch.members)
        return self._paginate(members, params, "user", lambda u: u, "members", 100)

    def _paginate(
        self,
        items: list[Any],
        params: dict[str, Any],
        kind: str,
        key: Callable[[Any], str],
        field_name: str,
        default_limit: int,
    ) -> dict[str, Any]:
        cursor = _as_str(params.get("cursor"))
        start = 0
        if cursor:
            target = _decode_cursor(cursor, kind)
            keys = [key(item) for item in items]
            if target not in keys:
                raise _SlackError("invalid_cursor")
            start = keys.index(target)
        limit = self._limit(params, default_limit, 1000)
        page, rest = items[start : start + limit], items[start + limit :]
        return {
            field_name: page,
            "response_metadata": {
                "next_cursor": _encode_cursor(kind, key(rest[0])) if rest else ""
            },
        }

    def _users_info(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(_as_str(params.get("user")) or "")
        if user is None or not self._in_team(user["id"], actor):
            raise _SlackError("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _users_list(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        members = [copy.deepcopy(u) for u in self.users.values() if self._in_team(u["id"], actor)]
        result = self._paginate(members, params, "user", lambda u: str(u["id"]), "members", 1000)
        result["cache_ts"] = int(time.time())
        return result

    def _users_lookup_by_email(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        email = (_as_str(params.get("email")) or "").lower()
        for user in self.users.values():
            if str(user["profile"].get("email", "")).lower() == email and email:
                return {"user": copy.deepcopy(user)}
        raise _SlackError("users_not_found")

    def _team_info(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "",
                "url": f"https://{self.team_domain}.slack.com/",
                "icon": {"image_default": True},
                "is_verified": False,
            }
        }

    # views

    def _view_object(
        self, value: Any, *, view_id: str | None = None, root_id: str | None = None,
        team_id: str | None = None,
    ) -> dict[str, Any]:
        """`team_id`: the workspace of the token that opened it (default the primary)."""
        team_id = team_id or self.team_id
        view = _as_json(value)
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            raise _SlackError("invalid_arguments")
        blocks = view.get("blocks", [])
        if not isinstance(blocks, list) or len(blocks) > 100:
            raise _SlackError("invalid_arguments")
        if view["type"] == "modal" and not isinstance(view.get("title"), dict):
            raise _SlackError("invalid_arguments")
        vid = view_id or self._next_id("V")
        obj: dict[str, Any] = {
            "id": vid,
            "team_id": team_id,
            "type": view["type"],
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": copy.deepcopy(blocks),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self._next_id('h')}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root_id or vid,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": team_id,
            "bot_id": self.bot_id,
        }
        self._views_by_id[vid] = obj
        return obj

    def _trigger(self, params: dict[str, Any]) -> str:
        trigger = _as_str(params.get("trigger_id")) or _as_str(params.get("interactivity_pointer"))
        if trigger is None:
            raise _SlackError("invalid_arguments")
        return trigger

    def _views_open(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        trigger = self._trigger(params)
        view = self._view_object(params.get("view"), team_id=actor.team_id)
        self.views.append({"method": "views.open", "view": view, "trigger_id": trigger})
        return {"view": copy.deepcopy(view)}

    def _views_push(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        trigger = self._trigger(params)
        view = self._view_object(params.get("view"), team_id=actor.team_id)
        self.views.append({"method": "views.push", "view": view, "trigger_id": trigger})
        return {"view": copy.deepcopy(view)}

    def _views_update(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        view_id = _as_str(params.get("view_id"))
        external_id = _as_str(params.get("external_id"))
        current = self._views_by_id.get(view_id or "")
        if current is None and external_id:
            current = next(
                (v for v in self._views_by_id.values() if v["external_id"] == external_id), None
            )
        if current is None:
            raise _SlackError("not_found")
        view_hash = _as_str(params.get("hash"))
        if view_hash is not None and view_hash != current["hash"]:
            raise _SlackError("hash_conflict")
        view = self._view_object(
            params.get("view"), view_id=current["id"], root_id=current["root_view_id"],
            team_id=actor.team_id,
        )
        self.views.append({"method": "views.update", "view": view, "view_id": view["id"]})
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _as_str(params.get("user_id"))
        if user_id is None or not self._in_team(user_id, actor):
            raise _SlackError("user_not_found")
        existing = self.home_views.get(user_id)
        view_hash = _as_str(params.get("hash"))
        if view_hash is not None and existing is not None and view_hash != existing["hash"]:
            raise _SlackError("hash_conflict")
        view = self._view_object(
            params.get("view"), view_id=existing["id"] if existing else None,
            team_id=actor.team_id,
        )
        if view["type"] != "home":
            raise _SlackError("invalid_arguments")
        self.home_views[user_id] = view
        self.views.append({"method": "views.publish", "view": view, "user_id": user_id})
        return {"view": copy.deepcopy(view)}

    # files

    def _files_get_upload_url_external(
        self, actor: _Actor, params: dict[str, Any]
    ) -> dict[str, Any]:
        filename = _as_str(params.get("filename"))
        length = _as_int(params.get("length"), -1)
        if filename is None or length < 0:
            raise _SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = {
            "filename": filename,
            "length": length,
            "alt_txt": _as_str(params.get("alt_txt")),
            "user": actor.user_id,
            "data": None,
        }
        return {"upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    def _upload(self, request: Request, file_id: str) -> Response:
        if request.mimetype == "multipart/form-data":
            storage = request.files.get("file") or request.files.get("filename")
            data = storage.read() if storage is not None else b""
        else:
            data = request.get_data()
        with self._lock:
            pending = self._uploads.get(file_id)
            if pending is None:
                return Response("Not Found", status=404, mimetype="text/plain")
            pending["data"] = data
        return Response(f"OK - {len(data)}", mimetype="text/plain")

    def _files_complete_upload_external(
        self, actor: _Actor, params: dict[str, Any]
    ) -> dict[str, Any]:
        entries = _as_json(params.get("files"))
        if not isinstance(entries, list) or not entries:
            raise _SlackError("invalid_arguments")
        channel_ids = []
        if _as_str(params.get("channel_id")):
            channel_ids.append(str(params["channel_id"]))
        channel_ids += [c for c in (_as_str(params.get("channels")) or "").split(",") if c]
        targets = [self._postable_channel(cid, actor) for cid in channel_ids]
        pending = []
        for entry in entries:
            fid = entry.get("id") if isinstance(entry, dict) else None
            upload = self._uploads.get(str(fid))
            if upload is None or upload["data"] is None:
                raise _SlackError("file_not_found")
            pending.append((str(fid), entry, upload))
        files = []
        for fid, entry, upload in pending:
            name = upload["filename"]
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            title = entry.get("title") or name
            files.append(self._make_file(fid, name, title, mimetype, upload["data"], actor.user_id))
            del self._uploads[fid]
        thread_ts = _as_str(params.get("thread_ts"))
        for ch in targets:
            msg = self._post(
                ch,
                actor,
                text=_as_str(params.get("initial_comment")) or "",
                blocks=self._blocks(params.get("blocks")),
                thread_ts=thread_ts,
                files=[copy.deepcopy(f) for f in files],
            )
            for file_obj in files:
                self._share(file_obj, ch, msg)
        return {"files": copy.deepcopy(files)}

    def _files_info(self, actor: _Actor, params: dict[str, Any]) -> dict[str, Any]:
        file_obj = self.files.get(_as_str(params.get("file")) or "")
        if file_obj is None:
            raise _SlackError("file_not_found")
        return {
            "file": copy.deepcopy(file_obj),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def _download(self, request: Request) -> Response:
        parts = request.path.split("/")  # ["", "files-pri", "T0001-F1", ("download",) name]
        team_file = parts[2] if len(parts) > 3 else ""
        file_id = team_file.split("-", 1)[1] if "-" in team_file else ""
        header = request.headers.get("Authorization")
        token = header[len("Bearer ") :] if header and header.startswith("Bearer ") else None
        with self._lock:
            authorized = token is not None and self._actor(token) is not None
            file_obj = self.files.get(file_id)
            content = self.file_contents.get(file_id, b"")
            status = 302 if not authorized else (200 if file_obj is not None else 404)
            self.file_requests.append(
                {"path": request.path, "authorization": header, "status": status}
            )
        if not authorized:
            location = f"{self.base_url}/?redirect={quote(request.path.lstrip('/'), safe='')}"
            return Response(
                f'<html><body>Redirecting to <a href="{location}">sign in</a></body></html>',
                status=302,
                headers={"Location": location},
                mimetype="text/html",
            )
        if file_obj is None:
            return Response("Not Found", status=404, mimetype="text/plain")
        headers = {}
        if "download" in parts[3:-1]:
            headers["Content-Disposition"] = f'attachment; filename="{file_obj["name"]}"'
        return Response(content, headers=headers, content_type=file_obj["mimetype"])
