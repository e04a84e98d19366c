"""A burst of texts into a thread updates its card once, with the newest state."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.models import OutboxItem
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, AppUnderTest, top_level


def _drain(app: AppUnderTest, timeout: float = 20.0) -> None:
    """Run every pending outbox item by hand (this app has no worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.core.session_factory() as session:
            pending = session.scalars(
                select(OutboxItem.id).where(OutboxItem.state == "pending").order_by(OutboxItem.id)
            ).all()
        if not pending:
            return
        for item_id in pending:
            app.core.runner.run(item_id)
        time.sleep(0.05)  # paced posts run on the timer meanwhile
    raise AssertionError("outbox did not drain")


def test_a_burst_of_texts_updates_the_card_once(
    app_no_worker: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app = app_no_worker
    url = f"{app.url}/twilio/messages"
    fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="first")
    _drain(app)
    (root,) = top_level(fake_slack, SUPPORT_CHANNEL)
    before = len(fake_slack.calls_to("chat.update"))
    for n in range(6):
        fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body=f"more {n}")
    _drain(app)
    replies = [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, root["ts"])]
    assert replies == ["first"] + [f"more {n}" for n in range(6)]
    updates = fake_slack.calls_to("chat.update")[before:]
    assert len(updates) == 1, "one card update for the burst, not one per text"
    assert updates[0].params["ts"] == root["ts"]
