"""Scale-out: 2 `serve` and 2 `worker` processes on PostgreSQL + Redis.

500 inbound texts over 5 numbers/channels (20% duplicate deliveries, shuffled) through
both web processes, plus a reply per conversation (each delivered twice, as Slack retries
do): every text lands exactly once and in order within its thread; every reply is sent
exactly once.
"""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from storage.db import make_engine
from storage.models import OutboxItem
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import AGENT, app_env, free_port, message_event, send_event, top_level
from tests.process import ServeProcess, WorkerProcess, cli

NUMBERS = [f"+1415555{n:04d}" for n in range(200, 205)]
CHANNELS = [f"C0SCALE{n}" for n in range(5)]
CUSTOMERS_PER_NUMBER = 20
TEXTS_PER_CONVERSATION = 5
DUPLICATE_SHARE = 0.2


@pytest.fixture
def scale_env(tmp_path: Path, fake_slack: FakeSlack, fake_twilio: FakeTwilio) -> Iterator[dict]:
    database = os.environ.get("TEST_DATABASE_URL")
    queue = os.environ.get("TEST_REDIS_URL")
    if not database or not queue:
        pytest.skip("TEST_DATABASE_URL and TEST_REDIS_URL are needed for the scale-out test")
    schema = f"s_{uuid.uuid4().hex[:10]}"
    admin = make_engine(database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    redis.Redis.from_url(queue).flushdb()
    for channel in CHANNELS:
        fake_slack.add_channel(channel, channel.lower(), members=[fake_slack.bot_user_id, AGENT])
    ports = [free_port(), free_port()]
    envs = []
    for port in ports:
        env = app_env(
            data_dir=tmp_path / "data", database_url=f"{database}?options=-csearch_path%3D{schema}",
            slack=fake_slack, twilio=fake_twilio, port=port,
        )
        env.update(QUEUE_URL=queue, SMSBRIDGE_SLACK_POST_INTERVAL="0.06",
                   SMSBRIDGE_LEASE_SECONDS="15", SMSBRIDGE_WORKERS="4")
        envs.append(env)
    try:
        yield {"envs": envs, "ports": ports, "database_url": envs[0]["DATABASE_URL"]}
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
        redis.Redis.from_url(queue).flushdb()


def test_two_web_and_two_worker_processes_deliver_exactly_once_in_order(
    scale_env: dict, tmp_path: Path, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    envs, ports = scale_env["envs"], scale_env["ports"]
    for number, channel in zip(NUMBERS, CHANNELS, strict=True):
        assert cli(envs[0], "numbers", "add", number, "--channel", channel).returncode == 0
        assert cli(envs[0], "numbers", "assign", number, AGENT).returncode == 0
    fake_slack.enforce_channel_rate(0.05)  # Slack's per-channel limit, scaled down

    webs = [ServeProcess(env, port, tmp_path / f"serve{i}.log", "--no-worker")
            for i, (env, port) in enumerate(zip(envs, ports, strict=True))]
    workers = [WorkerProcess(envs[i % 2], tmp_path / f"worker{i}.log") for i in range(2)]
    for process in (*webs, *workers):
        process.start()
    try:
        _run_scenario(webs, fake_slack, fake_twilio, scale_env["database_url"])
    finally:
        for process in (*workers, *webs):
            process.stop()


def _run_scenario(
    webs: list[ServeProcess], slack: FakeSlack, twilio: FakeTwilio, database_url: str
) -> None:
    rng = random.Random(7)
    texts = []  # (conversation key, number, customer, body, sid)
    for n, number in enumerate(NUMBERS):
        for c in range(CUSTOMERS_PER_NUMBER):
            customer = f"+1650555{n:02d}{c:02d}"
            for t in range(TEXTS_PER_CONVERSATION):
                sid = "SM" + uuid.uuid4().hex
                texts.append(((number, customer), number, customer, f"{customer} #{t}", sid))
    assert len(texts) == 500
    deliveries = texts + rng.sample(texts, int(len(texts) * DUPLICATE_SHARE))
    # shuffle across conversations; within one conversation a text is sent after its
    # predecessor was acknowledged, as Twilio does for one sender
    per_conversation: dict[tuple, list] = defaultdict(list)
    for delivery in sorted(deliveries, key=lambda d: (d[0], d[3])):
        per_conversation[delivery[0]].append(delivery)
    acked: dict[tuple, list[str]] = defaultdict(list)
    lock = threading.Lock()

    def send_conversation(key: tuple) -> None:
        for _, number, customer, body, sid in per_conversation[key]:
            web = rng.choice(webs)
            response = twilio.send_inbound(f"{web.url}/twilio/messages", from_=customer,
                                           to=number, body=body, message_sid=sid)
            assert response.status_code == 200, response.text
            with lock:
                if body not in acked[key]:
                    acked[key].append(body)

    keys = list(per_conversation)
    rng.shuffle(keys)
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(send_conversation, keys))

    def threads() -> dict[tuple, list[str]]:
        found = {}
        for number, channel in zip(NUMBERS, CHANNELS, strict=True):
            for root in top_level(slack, channel):
                replies = [m for m in slack.thread(channel, root["ts"]) if m.get("bot_id")]
                customer = replies[0]["text"].split(" ")[0] if replies else None
                found[(number, customer, root["ts"], channel)] = [m["text"] for m in replies]
        return found

    def all_posted() -> bool:
        return sum(len(v) for v in threads().values()) >= 500

    slack.wait_for(all_posted, timeout=240, interval=1.0)
    found = threads()
    assert len(found) == 100, "one thread per conversation"
    for (number, customer, _, _), posted in found.items():
        assert posted == acked[(number, customer)], f"thread of {customer} out of order"

    # replies: each conversation gets one, delivered twice to different web processes
    for (_number, customer, root_ts, channel) in found:
        text = f"reply to {customer}"
        ts = slack.add_message(channel, user=AGENT, text=text, thread_ts=root_ts)["ts"]
        envelope = message_event(team_id=slack.team_id, channel=channel, user=AGENT, text=text,
                                 ts=ts, thread_ts=root_ts)
        for web in webs:
            assert send_event(web.url, envelope).status_code == 200
    twilio.wait_for(lambda: len(twilio.created) >= 100, timeout=120, interval=0.5)

    engine = make_engine(database_url)

    def settled() -> bool:
        with engine.connect() as connection:
            states = connection.execute(select(OutboxItem.state)).scalars().all()
        return all(state == "done" for state in states)

    slack.wait_for(settled, timeout=120, interval=0.5)
    engine.dispose()
    bodies = [m["params"]["Body"] for m in twilio.created]
    assert len(bodies) == 100 and len(set(bodies)) == 100, "every reply sent exactly once"
    assert sum(len(v) for v in threads().values()) == 500, "no text posted twice"
