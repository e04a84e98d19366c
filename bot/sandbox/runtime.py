"""`smsbridge sandbox`: the real app (SQLite and the embedded queue in a data directory,
embedded worker) wired to the Slack and Twilio emulators, seeded with a small company.

One WSGI server answers both the sandbox page (/, /api/…) and the app itself, which hangs
under /app (PUBLIC_BASE_URL's path), so a single port is all a newcomer needs.
"""

from __future__ import annotations

import logging
import secrets
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import create_server

from bot.app import Core, build_core, build_http_app, resolve_workspace
from bot.config import Settings
from bot.sandbox.slack_api import SlackEmulator
from bot.sandbox.twilio_api import TwilioEmulator
from bot.worker import Worker

log = logging.getLogger(__name__)

APP_PREFIX = "/app"


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    real_name: str
    role: str | None = None  # "manager" | "admin"


@dataclass(frozen=True)
class Number:
    e164: str
    channel_id: str
    channel_name: str
    label: str


MEMBERS = (
    Member("U0ANN", "ann", "Ann Agent"),
    Member("U0BEN", "ben", "Ben Rivera"),
    Member("U0MARIA", "maria", "Maria Manager", role="manager"),
    Member("U0ADAM", "adam", "Adam Admin", role="admin"),
)
NUMBERS = (
    Number("+14155550100", "C0SUPPORT", "sms-support", "Support"),
    Number("+14155550199", "C0SALES", "sms-sales", "Sales"),
)
# Who sends from which number by default (the rest can still reply in any thread).
ASSIGNMENTS = (("+14155550100", "U0ANN"), ("+14155550199", "U0BEN"),
               ("+14155550100", "U0MARIA"), ("+14155550199", "U0ADAM"))
CONTACTS = (
    ("+14155552671", "Carla Customer", "Oak Street Bakery"),
    ("+14155553344", "Dev Patel", "Patel Plumbing"),
    ("+14155557788", "Erin Walsh", None),
)


def sandbox_env(
    *, data_dir: Path, port: int, slack: SlackEmulator, twilio: TwilioEmulator, secret: str
) -> dict[str, str]:
    """What an operator would set, pointed at the emulators (DATABASE_URL and QUEUE_URL
    unset: SQLite and the embedded queue in the data directory)."""
    return {
        "SMSBRIDGE_DATA_DIR": str(data_dir),
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": slack.api_url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_URL": twilio.url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}{APP_PREFIX}",
        "SMSBRIDGE_SWEEP_SECONDS": "2",
        "SMSBRIDGE_SLACK_POST_INTERVAL": "0.2",
        "SMSBRIDGE_WORKERS": "2",
    }


def seed_emulators(slack: SlackEmulator) -> None:
    """The company's Slack: members and one channel per number, the bot in each."""
    for member in MEMBERS:
        slack.add_user(member.user_id, member.name, real_name=member.real_name,
                       is_admin=member.role == "admin")
    everyone = [slack.bot_user_id, *(m.user_id for m in MEMBERS)]
    for number in NUMBERS:
        slack.add_channel(number.channel_id, number.channel_name, members=everyone)


def seed_app(core: Core, team_id: str) -> None:
    """What an admin would do with the CLI: numbers, assignments, roles, contacts."""
    admin = core.services.admin
    for number in NUMBERS:
        admin.add_number(team_id=team_id, number=number.e164, channel_id=number.channel_id,
                         label=number.label, messaging_service_sid=None, actor="sandbox")
    for e164, user in ASSIGNMENTS:
        admin.assign(team_id=team_id, number=e164, user_id=user, default=True, actor="sandbox")
    for member in MEMBERS:
        if member.role:
            admin.grant_role(team_id=team_id, user_id=member.user_id, role=member.role,
                             actor="sandbox")
    for phone, name, company in CONTACTS:
        core.services.contacts.save(team_id=team_id, actor="sandbox", contact_id=None,
                                    fields={"phone": phone, "name": name, "company": company})
    core.services.directory.sync(team_id=team_id)


def _mount(page: Flask, app: Flask) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """One WSGI callable: the app's routes (under /app) and the sandbox page."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "")
        target = app if path == APP_PREFIX or path.startswith(APP_PREFIX + "/") else page
        return target(environ, start_response)  # type: ignore[no-any-return]

    return wsgi


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class Sandbox:
    """Emulators, the app, its worker and the page, started and stopped together."""

    def __init__(self, *, data_dir: Path, port: int, host: str = "127.0.0.1") -> None:
        from bot.sandbox.web import build_page

        port = port or free_port(host)
        self.slack = SlackEmulator().start()
        self.twilio = TwilioEmulator().start()
        seed_emulators(self.slack)
        self.signing_secret = secrets.token_hex(16)
        self.env = sandbox_env(data_dir=data_dir, port=port, slack=self.slack,
                               twilio=self.twilio, secret=self.signing_secret)
        self.settings = Settings(_env_file=None, **self.env)  # type: ignore[call-arg, arg-type]
        self.core = build_core(self.settings)
        self.team_id = resolve_workspace(self.core)
        if not self.core.services.admin.list_numbers(team_id=self.team_id):
            seed_app(self.core, self.team_id)
        for number in NUMBERS:
            self.twilio.configure_number(number.e164, f"{self.app_url}/twilio/messages")
        self.server = create_server(
            _mount(build_page(self), build_http_app(self.core)), host=host, port=port,
            threads=8, ident="smsbridge-sandbox",
        )
        self.thread = threading.Thread(target=self.server.run, name="sandbox-http", daemon=True)
        self.worker = Worker(self.core.huey, self.core.runner, threads=2,
                             sweep_seconds=self.settings.sweep_seconds,
                             chores=[self.core.services.media.remove_expired])

    @property
    def app_url(self) -> str:
        return self.settings.public_base_url or ""

    @property
    def port(self) -> int:
        return int(self.server.effective_port)  # type: ignore[union-attr]

    def start(self) -> Sandbox:
        self.thread.start()
        self.worker.start_embedded()
        return self

    def stop(self) -> None:
        self.worker.stop()
        self.core.queue.close()
        self.server.trigger.pull_trigger(  # type: ignore[union-attr]
            lambda: wasyncore.close_all(self.server._map)  # type: ignore[union-attr]
        )
        self.thread.join(timeout=5)
        self.core.engine.dispose()
        self.slack.stop()
        self.twilio.stop()


def run_sandbox(*, port: int, host: str, echo: Callable[[str], None]) -> None:
    """Run until Ctrl-C, in a temporary data directory that goes away afterwards (the
    emulators' Slack and Twilio live in memory, so a database alone could not resume)."""
    with tempfile.TemporaryDirectory(prefix="smsbridge-sandbox-") as scratch:
        sandbox = Sandbox(data_dir=Path(scratch), port=port, host=host).start()
        echo(f"smsbridge sandbox: open http://{host}:{sandbox.port}/  (Ctrl-C stops it)")
        echo(f"  data: {sandbox.settings.data_dir}  app: {sandbox.app_url}")
        stop = threading.Event()
        try:
            stop.wait()
        except KeyboardInterrupt:
            echo("stopping")
        finally:
            sandbox.stop()
