"""Engines and session factories. SQLite runs in WAL with a busy timeout and takes the
write lock at BEGIN, so concurrent writers queue instead of failing."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_SECONDS = 2.0
NUL, REPLACEMENT = "\x00", "\ufffd"


def normalize_url(url: str) -> str:
    """`postgresql://…` works as written: pick the installed psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        writer = threading.Lock()
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                          "factory": _writer_locked_connection(writer)},
            **kwargs,
        )
        _configure_sqlite(engine, writer)
    else:
        engine = create_engine(url, **{"pool_size": 10, "max_overflow": 20, **kwargs})
        _ping_when_idle(engine)
    _replace_unstorable(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle for a while.

    A connection used moments ago is as good as a ping's answer, and on the busy path a
    ping is one more round trip per transaction (pool_pre_ping pings on every checkout).
    An idle one may have been cut (a database restart, a proxy's idle timeout): a failed
    ping discards it and the pool hands out another. A connection that breaks while busy
    fails its statement, which SQLAlchemy recognises as a disconnect: it discards the pool."""

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection no longer answers") from exc


def _storable(text: str) -> str:
    if NUL in text:
        text = text.replace(NUL, REPLACEMENT)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            text = "".join(REPLACEMENT if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(item) for item in value)
    return value


def _replace_unstorable(engine: Engine) -> None:
    """NUL characters and lone surrogates in text parameters become U+FFFD, on every
    database alike.

    PostgreSQL refuses NUL in text outright (the whole statement fails), SQLite stores it;
    neither driver can encode a lone surrogate (Slack's JSON may carry "\\ud800"). A
    customer text or a Slack reply carrying one answered 500, and Twilio or Slack retried it
    for ever. No text this app keeps means anything by them, so they are shown as the
    replacement character, for writes and lookups alike.
    """

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def on_execute(
        _connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
        _executemany: bool,
    ) -> tuple[str, Any]:
        return statement, _clean(parameters)


def _configure_sqlite(engine: Engine, writer: threading.Lock) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        if not writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise TimeoutError("the database stayed locked by this process's other writers")
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.holds_writer = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.release_writer()
            raise


def _writer_locked_connection(writer: threading.Lock) -> type[sqlite3.Connection]:
    """sqlite3 connections that give the process's writer lock back once their transaction
    has really ended.

    SQLite's busy handler sleeps and polls (1, 2, 5 … 100 ms) while another connection holds
    the write lock: under concurrent requests that idles the lock and makes p99 hundreds of
    ms. Writers of one process queue on `writer` instead (taken at BEGIN) and wake the moment
    it is released: after COMMIT or ROLLBACK returns, so the next writer's BEGIN IMMEDIATE
    never meets the busy handler. Other processes still meet the busy timeout."""

    class WriterLockedConnection(sqlite3.Connection):
        holds_writer = False

        def release_writer(self) -> None:
            if self.holds_writer:
                self.holds_writer = False
                writer.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.release_writer()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.release_writer()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.release_writer()

    return WriterLockedConnection


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
