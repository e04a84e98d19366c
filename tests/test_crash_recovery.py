"""SIGKILL of the serving process mid-flight, then restart: nothing lost, nothing doubled."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import make_engine
from storage.models import Message, OutboxItem
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    message_event,
    send_event,
    top_level,
)
from tests.process import ServeProcess, cli


@pytest.fixture
def serve(env: dict[str, str], tmp_path: Path) -> Iterator[ServeProcess]:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    settings["SMSBRIDGE_LEASE_SECONDS"] = "3"
    for args in (
        ("numbers", "add", SUPPORT_NUMBER, "--channel", SUPPORT_CHANNEL, "--label", "Support"),
        ("numbers", "assign", SUPPORT_NUMBER, AGENT, "--default"),
    ):
        result = cli(settings, *args)
        assert result.returncode == 0, result.stderr
    process = ServeProcess(settings, int(env["_PORT"]), tmp_path / "serve.log")
    process.start()
    yield process
    process.stop()


def _outbox_settled(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            states = connection.execute(select(OutboxItem.state)).scalars().all()
    finally:
        engine.dispose()
    return bool(states) and all(state == "done" for state in states)


def _thread_texts(slack: FakeSlack) -> list[str]:
    roots = top_level(slack, SUPPORT_CHANNEL)
    assert len(roots) <= 1, "the conversation's root was posted twice"
    return [m["text"] for m in slack.thread(SUPPORT_CHANNEL, roots[0]["ts"])] if roots else []


@pytest.mark.parametrize("slack_got_it", [False, True], ids=["post-lost", "answer-lost"])
def test_killed_between_ack_and_slack_post(
    serve: ServeProcess, env: dict[str, str], fake_slack: FakeSlack, fake_twilio: FakeTwilio,
    slack_got_it: bool,
) -> None:
    release = fake_slack.hang_next("chat.postMessage", record=slack_got_it)
    response = fake_twilio.send_inbound(
        f"{serve.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="don't lose me"
    )
    assert response.status_code == 200  # acknowledged: it is committed
    fake_slack.wait_for(fake_slack.hung.is_set)
    serve.kill()
    release.set()
    serve.start()
    fake_slack.wait_for(lambda: _thread_texts(fake_slack) == ["don't lose me"], timeout=30)
    fake_slack.wait_for(lambda: _outbox_settled(env["DATABASE_URL"]), timeout=30)
    time.sleep(1.5)  # a few sweeps later, still exactly once
    assert _thread_texts(fake_slack) == ["don't lose me"]


@pytest.mark.parametrize("twilio_got_it", [False, True], ids=["create-lost", "answer-lost"])
def test_killed_between_outbox_claim_and_twilio_create(
    serve: ServeProcess, env: dict[str, str], fake_slack: FakeSlack, fake_twilio: FakeTwilio,
    twilio_got_it: bool,
) -> None:
    fake_twilio.send_inbound(
        f"{serve.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="hi"
    )
    fake_slack.wait_for(lambda: _thread_texts(fake_slack) == ["hi"], timeout=20)
    thread = top_level(fake_slack, SUPPORT_CHANNEL)[0]["ts"]
    release = fake_twilio.hang_next_create(record=twilio_got_it)
    ts = fake_slack.add_message(SUPPORT_CHANNEL, user=AGENT, text="on it", thread_ts=thread)["ts"]
    event = message_event(
        team_id=fake_slack.team_id, channel=SUPPORT_CHANNEL, user=AGENT, text="on it", ts=ts,
        thread_ts=thread,
    )
    assert send_event(serve.url, event).status_code == 200
    fake_twilio.wait_for(fake_twilio.hung.is_set)
    serve.kill()
    release.set()
    serve.start()
    fake_twilio.wait_for(lambda: _outbox_settled(env["DATABASE_URL"]), timeout=40)
    time.sleep(1.5)
    assert [m["params"]["Body"] for m in fake_twilio.created] == ["on it"]
    engine = make_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        sid = connection.execute(
            select(Message.twilio_sid).where(Message.direction == "outbound")
        ).scalar_one()
    engine.dispose()
    assert sid == fake_twilio.created[0]["sid"]
