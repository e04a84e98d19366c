"""Alembic: a new database and an old one both come up to date; models match migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate
from storage.db import make_engine
from storage.models import Base


def test_new_database_is_brought_to_head(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    assert {"messages", "outbox", "conversations", "sms_numbers"} <= set(
        inspect(engine).get_table_names()
    )
    # 0006: slack_sdk's OAuth stores' tables (multi-workspace mode)
    assert set(inspect(engine).get_table_names()) >= migrate.SLACK_SDK_TABLES
    migrate.upgrade(engine)  # idempotent
    engine.dispose()


def test_old_database_is_upgraded_keeping_its_rows(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO workspaces (team_id, name, created_at) VALUES ('T1', 'old', "
            "CURRENT_TIMESTAMP)"
        ))
    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT team_id FROM workspaces")).scalar_one() == "T1"
    engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": migrate.include_object}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_contacts_of_an_old_database_become_searchable(database_url: str) -> None:
    """0004 fills the new search keys of contacts stored before it."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO workspaces (team_id, name, created_at) VALUES ('T1', 'old', "
            "CURRENT_TIMESTAMP)"
        ))
        connection.execute(text(
            "INSERT INTO contacts (workspace_id, e164, name, created_at, updated_at) VALUES "
            "(1, '+14155552671', 'Dana Scully', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
    migrate.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT name_key, phone_key FROM contacts")).one()
    engine.dispose()
    assert tuple(row) == ("dana scully", "+14155552671")
