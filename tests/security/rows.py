"""Counting what the app stored: rows in every table, so a test can assert a request
wrote nothing anywhere (not just in the table it expected)."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, func, select

IGNORED = {"alembic_version"}


def row_counts(engine: Engine) -> dict[str, int]:
    """table name → number of rows, for every table of the app's schema."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in sorted(metadata.tables.items()) if name not in IGNORED
        }


def rows_written(before: dict[str, int], after: dict[str, int]) -> int:
    """How many rows appeared (or vanished) between two counts, over all tables."""
    return sum(abs(after.get(name, 0) - count) for name, count in before.items()) + sum(
        count for name, count in after.items() if name not in before
    )
