"""Running the real app in-process for tests: waitress serving the WSGI app on a free port,
an embedded huey worker, fake Slack/Twilio behind the official clients."""

from __future__ import annotations

import errno
import json
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from slack_sdk.signature import SignatureVerifier
from waitress import wasyncore
from waitress.server import create_server

from bot.app import (
    Core,
    build_bolt,
    build_core,
    build_http_app,
    resolve_workspace,
    socket_mode_handler,
)
from bot.config import Settings
from bot.worker import Worker
from tests.fakes import FakeSlack, FakeTwilio

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SUPPORT_NUMBER = "+14155550100"
SALES_NUMBER = "+14155550199"
SUPPORT_CHANNEL = "C0SUPPORT"
SALES_CHANNEL = "C0SALES"
CUSTOMER = "+14155552671"
AGENT = "U0AGENT"
OTHER = "U0OTHER"
MANAGER = "U0MANAGER"
ADMIN = "U0ADMIN"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(
    *, data_dir: Path, database_url: str, slack: FakeSlack, twilio: FakeTwilio, port: int,
    prefix: str = "",
) -> dict[str, str]:
    """The environment an operator would set, pointed at the fakes."""
    return {
        "DATABASE_URL": database_url,
        "SMSBRIDGE_DATA_DIR": str(data_dir),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_URL": twilio.url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}{prefix}",
        "SMSBRIDGE_LEASE_SECONDS": "6",
        "SMSBRIDGE_SWEEP_SECONDS": "0.5",
        "SMSBRIDGE_SLACK_POST_INTERVAL": "0.05",
        "SMSBRIDGE_WORKERS": "3",
        # FakeTwilio.cdn_url is "localhost": the fake's stand-in for Twilio's media CDN.
        "SMSBRIDGE_MEDIA_HOSTS": "media.twiliocdn.com,*.twiliocdn.com,localhost",
    }


def settings_from(env: dict[str, str]) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


class AppUnderTest:
    """The real app: HTTP on a free port, optional embedded worker."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.settings = settings_from(env)
        self.core: Core = build_core(self.settings)
        # multi-workspace mode: workspaces appear as they install the app
        self.team_id = "" if self.settings.multi_workspace else resolve_workspace(self.core)
        self.bolt = build_bolt(self.core)
        self.server = create_server(
            build_http_app(self.core, self.bolt), host="127.0.0.1", port=port, threads=6
        )
        self.socket = socket_mode_handler(self.core, self.bolt) if self.settings.socket_mode \
            else None
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.worker: Worker | None = None
        self.url = self.settings.public_base_url or ""

    def start(self, *, with_worker: bool = True) -> AppUnderTest:
        self.thread.start()
        if self.socket is not None:
            self.socket.connect()
        if with_worker:
            self.start_worker()
        return self

    def start_worker(self) -> None:
        self.worker = Worker(
            self.core.huey, self.core.runner, threads=3, sweep_seconds=self.settings.sweep_seconds,
            chores=[self.core.services.media.remove_expired],
        )
        self.worker.start_embedded()

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.close()
        if self.worker:
            self.worker.stop()
        self.core.queue.close()
        # Close the sockets from inside waitress's loop: closing them from this thread
        # races its select() (EBADF in the server thread).
        if self.thread.is_alive():
            try:
                self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
            except OSError as exc:  # the loop closed its trigger already: nothing to stop
                if exc.errno != errno.EBADF:
                    raise
        self.thread.join(timeout=5)
        self.core.engine.dispose()

    def admin_setup(self) -> None:
        admin = self.core.services.admin
        for number, channel, label in (
            (SUPPORT_NUMBER, SUPPORT_CHANNEL, "Support"),
            (SALES_NUMBER, SALES_CHANNEL, "Sales"),
        ):
            admin.add_number(
                team_id=self.team_id, number=number, channel_id=channel, label=label,
                messaging_service_sid=None, actor="test",
            )
        admin.assign(
            team_id=self.team_id, number=SUPPORT_NUMBER, user_id=AGENT, default=True, actor="t"
        )
        admin.grant_role(team_id=self.team_id, user_id=MANAGER, role="manager", actor="t")
        admin.grant_role(team_id=self.team_id, user_id=ADMIN, role="admin", actor="t")


def signed_slack_post(
    url: str,
    body: str,
    *,
    content_type: str = "application/json",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        **(headers or {}),
    }
    return requests.post(url, data=body.encode(), headers=all_headers, timeout=15)


def message_event(
    *, team_id: str, channel: str, user: str | None, text: str, ts: str,
    thread_ts: str | None = None, event_id: str | None = None, **fields: Any,
) -> dict[str, Any]:
    """An Events API envelope around a `message` event, as Slack sends it."""
    event: dict[str, Any] = {
        "type": "message", "channel": channel, "text": text, "ts": ts, "event_ts": ts,
        "channel_type": "channel", "team": team_id,
    }
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(fields)
    return {
        "token": "legacy", "team_id": team_id, "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()), "event": event,
        "authorizations": [
            {"team_id": team_id, "user_id": "UBOT", "is_bot": True, "enterprise_id": None}
        ],
    }


def send_event(app_url: str, envelope: dict[str, Any], **kwargs: Any) -> requests.Response:
    return signed_slack_post(f"{app_url}/slack/events", json.dumps(envelope), **kwargs)


_ts_counter = iter(range(1, 10**9))


def slack_ts() -> str:
    """A fresh message ts as a person's client would get from Slack."""
    return f"{int(time.time())}.{next(_ts_counter):06d}"


def top_level(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """Messages not inside a thread (roots carry thread_ts == ts once they have replies)."""
    return [m for m in slack.messages_in(channel) if m.get("thread_ts") in (None, m["ts"])]


def open_conversation(
    app: AppUnderTest, slack: FakeSlack, twilio: FakeTwilio, *, customer: str = "+14155552671",
    number: str = SUPPORT_NUMBER, channel: str = SUPPORT_CHANNEL, body: str = "Hello",
) -> str:
    """A customer texts in; returns the ts of the conversation's thread once it exists."""
    before = len(top_level(slack, channel))
    response = twilio.send_inbound(f"{app.url}/twilio/messages", from_=customer, to=number,
                                   body=body)
    assert response.status_code == 200, response.text
    roots = slack.wait_for(lambda: len(top_level(slack, channel)) > before and top_level(
        slack, channel))
    root_ts = str(roots[-1]["ts"])
    slack.wait_for(lambda: slack.thread(channel, root_ts))
    return root_ts
