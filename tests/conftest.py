"""Shared fixtures: fake Slack and Twilio servers, databases, the app under test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.db import normalize_url
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    ADMIN,
    AGENT,
    MANAGER,
    OTHER,
    SALES_CHANNEL,
    SUPPORT_CHANNEL,
    AppUnderTest,
    app_env,
    free_port,
)

PG_SKIP = "TEST_DATABASE_URL is not set: the PostgreSQL variant is skipped (.ci/run sets it)"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        people = {AGENT: "ann", OTHER: "otto", MANAGER: "maria", ADMIN: "adam"}
        for user, name in people.items():
            slack.add_user(user, name)
        for channel, name in ((SUPPORT_CHANNEL, "sms-support"), (SALES_CHANNEL, "sms-sales")):
            slack.add_channel(channel, name, members=[slack.bot_user_id, *people])
        yield slack


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as twilio:
        yield twilio
        assert twilio.spec_violations == [], "requests broke Twilio's OpenAPI description"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def env(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> dict[str, str]:
    port = free_port()
    values = app_env(
        data_dir=tmp_path / "data", database_url=database_url, slack=fake_slack,
        twilio=fake_twilio, port=port,
    )
    values["_PORT"] = str(port)
    return values


def _start(env: dict[str, str], *, with_worker: bool) -> AppUnderTest:
    settings_env = {k: v for k, v in env.items() if not k.startswith("_")}
    app = AppUnderTest(settings_env, int(env["_PORT"]))
    app.admin_setup()
    return app.start(with_worker=with_worker)


@pytest.fixture
def app(env: dict[str, str]) -> Iterator[AppUnderTest]:
    """The app with its embedded worker, two numbers set up, roles granted."""
    running = _start(env, with_worker=True)
    yield running
    running.stop()


@pytest.fixture
def app_no_worker(env: dict[str, str]) -> Iterator[AppUnderTest]:
    """The app serving HTTP only: tests run outbox items by hand."""
    running = _start(env, with_worker=False)
    yield running
    running.stop()
