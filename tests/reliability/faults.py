"""Shared steps of the fault tests: texts in, replies out, each acknowledged one in the
ledger, and the moment the last of them was delivered."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.db import make_engine
from storage.models import OutboxItem
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import AGENT, SUPPORT_CHANNEL, SUPPORT_NUMBER, message_event, send_event
from tests.reliability.ledger import BODY, Ledger, body_for

CUSTOMERS = [(f"c{i}", f"+1650555{i:04d}") for i in range(4)]


def send_texts(
    url: str, twilio: FakeTwilio, ledger: Ledger, count: int, *, spread: float = 0.0,
    start: int = 0,
) -> None:
    """`count` inbound texts round-robin over the customers, `spread` seconds apart."""
    for n in range(start, start + count):
        tag, phone = CUSTOMERS[n % len(CUSTOMERS)]
        body = body_for(tag, "in", n)
        response = twilio.send_inbound(f"{url}/twilio/messages", from_=phone, to=SUPPORT_NUMBER,
                                       body=body)
        assert response.status_code == 200, response.text
        ledger.acked_inbound(tag, body)
        time.sleep(spread)


def thread_roots(slack: FakeSlack) -> dict[str, str]:
    """Customer tag -> its conversation's thread ts, for threads that exist so far."""
    roots: dict[str, str] = {}
    for message in slack.messages_in(SUPPORT_CHANNEL):
        match = BODY.match(message.get("text") or "")
        if match and message.get("bot_id") and message.get("thread_ts"):
            roots.setdefault(match["who"], str(message["thread_ts"]))
    return roots


def send_replies(
    url: str, slack: FakeSlack, ledger: Ledger, count: int, *, start: int = 1000
) -> None:
    """`count` thread replies round-robin over the customers (their threads must exist)."""
    roots = thread_roots(slack)
    for n in range(start, start + count):
        tag, phone = CUSTOMERS[n % len(CUSTOMERS)]
        body = body_for(tag, "re", n)
        ts = slack.add_message(SUPPORT_CHANNEL, user=AGENT, text=body, thread_ts=roots[tag])["ts"]
        envelope = message_event(team_id=slack.team_id, channel=SUPPORT_CHANNEL, user=AGENT,
                                 text=body, ts=ts, thread_ts=roots[tag])
        response = send_event(url, envelope)
        assert response.status_code == 200, response.text
        ledger.acked_reply(phone, body)


def open_threads(url: str, slack: FakeSlack, twilio: FakeTwilio, ledger: Ledger) -> None:
    """One text per customer, and wait until each has its thread."""
    send_texts(url, twilio, ledger, len(CUSTOMERS), start=0)
    slack.wait_for(lambda: len(thread_roots(slack)) == len(CUSTOMERS), timeout=30)


def wait_all_delivered(slack: FakeSlack, twilio: FakeTwilio, ledger: Ledger) -> None:
    """Poll until every acknowledged text is in Slack and every reply was created."""

    def delivered() -> bool:
        tally = ledger.tally(slack, twilio, [SUPPORT_CHANNEL])
        return not tally.texts_lost and not tally.sms_lost

    slack.wait_for(delivered, timeout=120, interval=0.2, message="every acknowledged message")


def outbox_settled(database_url: str) -> bool:
    """Every outbox item finished: nothing left to deliver or to reconcile."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            states = connection.execute(select(OutboxItem.state)).scalars().all()
    finally:
        engine.dispose()
    return bool(states) and all(state in ("done", "failed") for state in states)


def wait_settled(slack: FakeSlack, database_url: str) -> None:
    slack.wait_for(lambda: outbox_settled(database_url), timeout=120, interval=0.25,
                   message="every outbox item done")
