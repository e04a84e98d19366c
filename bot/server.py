"""`serve` and `worker`: the long-running processes."""

from __future__ import annotations

import logging

from waitress import serve as waitress_serve

from bot.app import build_core, build_http_app, resolve_workspace
from bot.config import Settings
from bot.worker import Worker

log = logging.getLogger(__name__)


def run_server(settings: Settings, *, host: str, port: int, with_worker: bool) -> None:
    settings.require_for_serve()
    core = build_core(settings)
    team_id = resolve_workspace(core)
    core.services.directory.sync(team_id=team_id)  # the picker's member directory
    http_app = build_http_app(core)
    worker = None
    if with_worker:
        worker = Worker(
            core.huey, core.runner, threads=settings.worker_threads,
            sweep_seconds=settings.sweep_seconds, chores=[core.services.media.remove_expired],
        )
        worker.start_embedded()
    log.info("smsbridge serving workspace %s on %s:%s (worker: %s)", team_id, host, port,
             "embedded" if worker else "none")
    try:
        waitress_serve(http_app, host=host, port=port, threads=8, ident="smsbridge")
    finally:
        if worker:
            worker.stop()


def run_worker(settings: Settings) -> None:
    settings.require("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")
    core = build_core(settings)
    Worker(
        core.huey, core.runner, threads=settings.worker_threads,
        sweep_seconds=settings.sweep_seconds, chores=[core.services.media.remove_expired],
    ).run_forever()
