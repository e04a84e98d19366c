"""`serve` and `worker`: the long-running processes."""

from __future__ import annotations

import logging

from waitress import serve as waitress_serve

from bot.app import build_bolt, build_core, build_http_app, resolve_workspace, socket_mode_handler
from bot.config import Settings
from bot.worker import Worker

log = logging.getLogger(__name__)


def run_server(settings: Settings, *, host: str, port: int, with_worker: bool) -> None:
    settings.require_for_serve()
    core = build_core(settings)
    if settings.multi_workspace:
        serving = "every installed workspace"
    else:
        serving = team_id = resolve_workspace(core)
        core.services.directory.sync(team_id=team_id)  # the picker's member directory
    bolt = build_bolt(core)
    http_app = build_http_app(core, bolt)
    socket = socket_mode_handler(core, bolt) if settings.socket_mode else None
    if socket:  # Slack over Socket Mode, in the background; HTTP still serves Twilio
        socket.connect()  # type: ignore[no-untyped-call]
    worker = None
    if with_worker:
        worker = Worker(
            core.huey, core.runner, threads=settings.worker_threads,
            sweep_seconds=settings.sweep_seconds, chores=[core.services.media.remove_expired],
        )
        worker.start_embedded()
    log.info("smsbridge serving %s on %s:%s (worker: %s, Slack over %s)", serving, host, port,
             "embedded" if worker else "none", "Socket Mode" if socket else "HTTP")
    try:
        waitress_serve(http_app, host=host, port=port, threads=8, ident="smsbridge")
    finally:
        if socket:
            socket.close()  # type: ignore[no-untyped-call]
        if worker:
            worker.stop()


def run_worker(settings: Settings) -> None:
    settings.require("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")
    core = build_core(settings)
    Worker(
        core.huey, core.runner, threads=settings.worker_threads,
        sweep_seconds=settings.sweep_seconds, chores=[core.services.media.remove_expired],
    ).run_forever()
