"""Benchmark: recipient picker search on 10,000 members and 100,000 contacts.

    .venv/bin/python -m bench.picker_search [--database-url URL] [--queries N]

Seeds a fresh database (a temporary SQLite file by default; a PostgreSQL URL is used in
a schema of its own), then times DirectoryService.search — what the options listener
calls — for typed prefixes of names and phone numbers, and prints p50/p99 in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.directory_data import FIRST, LAST, seed
from bot.services.directory import DirectoryService
from storage import migrate
from storage.db import make_engine, make_session_factory, normalize_url
from storage.repositories import workspaces

TEAM = "TBENCH"


def queries(count: int, rng: random.Random) -> list[str]:
    typed = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.6:
            word = rng.choice(FIRST)
            typed.append(word[: rng.randint(1, len(word))])
        elif kind < 0.8:
            typed.append(f"{rng.choice(FIRST)} {rng.choice(LAST)[:2]}")
        else:
            typed.append("415 2" + "".join(rng.choice("0123456789") for _ in range(3)))
    return typed


def run(database_url: str, count: int) -> tuple[float, float, int]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    session_factory = make_session_factory(engine)
    with session_factory.begin() as session:
        seed(session, workspaces.ensure(session, TEAM).id, members=10_000, contacts=100_000)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    directory = DirectoryService(session_factory=session_factory, slack_for=lambda _: None)  # type: ignore[arg-type,return-value]
    rng = random.Random(7)
    timings, answered = [], 0
    for query in queries(count, rng):
        start = time.perf_counter()
        answered += len(directory.search(team_id=TEAM, query=query))
        timings.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    cuts = statistics.quantiles(timings, n=100)
    return statistics.median(timings), cuts[98], answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: temporary SQLite)")
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    if not args.database_url:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            report("sqlite", *run(url, args.queries), args.queries)
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(args.database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in args.database_url else "?"
    try:
        url = f"{args.database_url}{separator}options=-csearch_path%3D{schema}"
        report("postgresql", *run(url, args.queries), args.queries)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def report(name: str, p50: float, p99: float, answered: int, count: int) -> None:
    print(
        f"picker search on {name}: 10,000 members + 100,000 contacts, {count} queries, "
        f"{answered / count:.0f} options on average: p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )


if __name__ == "__main__":
    main()
