"""Per-channel pacing slots shared through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.repositories import pacing

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _slots(database_url: str, attempts: list[float], interval: float = 1.0) -> list:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    results = []
    for offset in attempts:
        with factory.begin() as session:
            results.append(pacing.reserve(
                session, "T:C1", now=T0 + timedelta(seconds=offset), interval=interval))
    engine.dispose()
    return results


def test_one_post_per_interval_per_channel(database_url: str) -> None:
    waits = _slots(database_url, [0.0, 0.3, 0.99])
    assert waits == [None, T0 + timedelta(seconds=1), T0 + timedelta(seconds=1)]


def test_late_wakeups_do_not_accumulate_over_a_burst(database_url: str) -> None:
    # each post wakes 40 ms after its slot; the schedule stays on the 1 s grid
    attempts = [0.0] + [k + 0.04 for k in range(1, 6)]
    assert _slots(database_url, attempts) == [None] * 6


def test_an_idle_channel_starts_from_now(database_url: str) -> None:
    waits = _slots(database_url, [0.0, 10.0, 10.5])
    assert waits[:2] == [None, None]
    assert waits[2] == T0 + timedelta(seconds=11)
