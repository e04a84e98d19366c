"""`smsbridge serve --no-worker` plus one `smsbridge worker`, as subprocesses that a test
SIGKILLs and restarts; on SQLite (file database, SQLite huey queue) or PostgreSQL + Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from storage.db import make_engine
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import AGENT, SUPPORT_CHANNEL, SUPPORT_NUMBER, app_env, free_port
from tests.process import ServeProcess, WorkerProcess, cli

SCALE_OUT_SKIP = "TEST_DATABASE_URL and TEST_REDIS_URL are not set: PostgreSQL + Redis skipped"


@contextmanager
def _database(kind: str, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(DATABASE_URL, QUEUE_URL) of a fresh database and queue of the given kind."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}", None
        return
    base, queue = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not base or not queue:
        pytest.skip(SCALE_OUT_SKIP)
    schema = f"r_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    redis.Redis.from_url(queue).flushdb()
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}", queue
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
        redis.Redis.from_url(queue).flushdb()


class Stack:
    """The two processes of one deployment, killed and restarted one at a time."""

    def __init__(self, settings: dict[str, str], port: int, logs: Path) -> None:
        self.settings = settings
        self.serve = ServeProcess(settings, port, logs / "serve.log", "--no-worker")
        self.worker = WorkerProcess(settings, logs / "worker.log")

    @property
    def url(self) -> str:
        return self.serve.url

    def start(self) -> None:
        self.serve.start()
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.serve.stop()


@contextmanager
def stack(
    kind: str, tmp_path: Path, slack: FakeSlack, twilio: FakeTwilio, **tuning: str
) -> Iterator[Stack]:
    with _database(kind, tmp_path) as (database_url, queue_url):
        port = free_port()
        settings = app_env(data_dir=tmp_path / "data", database_url=database_url, slack=slack,
                           twilio=twilio, port=port)
        if queue_url:
            settings["QUEUE_URL"] = queue_url
        settings.update(tuning)
        for args in (
            ("numbers", "add", SUPPORT_NUMBER, "--channel", SUPPORT_CHANNEL, "--label", "Support"),
            ("numbers", "assign", SUPPORT_NUMBER, AGENT, "--default"),
        ):
            result = cli(settings, *args)
            assert result.returncode == 0, result.stderr
        running = Stack(settings, port, tmp_path)
        running.start()
        try:
            yield running
        finally:
            running.stop()
