"""The queue backends: SQLite in the data directory by default, Redis for scale-out."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from huey import RedisHuey, SqliteHuey

from bot.config import Settings
from bot.queue import make_huey
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_NUMBER, AppUnderTest, open_conversation

REDIS_SKIP = "TEST_REDIS_URL is not set: the Redis variant is skipped (.ci/run sets it)"


def test_default_queue_is_sqlite_in_the_data_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    huey = make_huey(Settings(_env_file=None, SMSBRIDGE_DATA_DIR=str(tmp_path)))  # type: ignore[call-arg]
    assert isinstance(huey, SqliteHuey)
    assert (tmp_path / "queue.db").exists()


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip(REDIS_SKIP)
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


def test_redis_queue_carries_the_whole_flow(
    env: dict[str, str], redis_url: str, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    settings["QUEUE_URL"] = redis_url
    app = AppUnderTest(settings, int(env["_PORT"]))
    assert isinstance(app.core.huey, RedisHuey)
    app.admin_setup()
    app.start()
    try:
        thread = open_conversation(app, fake_slack, fake_twilio, customer=CUSTOMER,
                                   number=SUPPORT_NUMBER)
        assert thread
    finally:
        app.stop()
