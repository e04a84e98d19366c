"""PostgreSQL connections: pinged before use only after sitting idle, so a connection the
server dropped while idle is replaced without failing anybody's request, and the busy path
pays no ping."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, event, text

from storage import db
from storage.db import make_engine, normalize_url
from tests.conftest import PG_SKIP


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP)
    return url


def _backend_pid(engine: object) -> int:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_dropped_while_idle_is_replaced(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.2)
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)
    admin = create_engine(normalize_url(pg_url), isolation_level="AUTOCOMMIT")
    try:
        first = _backend_pid(engine)
        with admin.connect() as connection:  # the server ends the pooled connection
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        time.sleep(0.3)
        second = _backend_pid(engine)  # no error: the ping found it dead, the pool replaced it
        assert second != first
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(pg_url: str) -> None:
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)
    pings: list[object] = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(connection) or original(connection)  # type: ignore[method-assign]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    try:
        for _ in range(5):
            _backend_pid(engine)
        assert pings == []
        assert statements == ["SELECT pg_backend_pid()"] * 5
    finally:
        engine.dispose()
