"""The ledger's checks can fail: a lost, a doubled and a reordered delivery are counted."""

from __future__ import annotations

from slack_sdk import WebClient

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER
from tests.reliability.ledger import Ledger


def test_lost_doubled_and_reordered_are_counted(
    fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    client = WebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    root = client.chat_postMessage(channel=SUPPORT_CHANNEL, text="root")["ts"]
    ledger = Ledger()
    for body in ("c0 in#1", "c0 in#2", "c0 in#3", "c0 in#4"):
        ledger.acked_inbound("c0", body)
    for body in ("c0 in#2", "c0 in#1", "c0 in#3", "c0 in#3"):  # 4 lost, 3 doubled, 1/2 swapped
        client.chat_postMessage(channel=SUPPORT_CHANNEL, text=body, thread_ts=root)
    ledger.acked_reply(CUSTOMER, "c0 re#5")
    ledger.acked_reply(CUSTOMER, "c0 re#6")
    twilio = fake_twilio.client()
    for _ in range(2):
        twilio.messages.create(to=CUSTOMER, from_=SUPPORT_NUMBER, body="c0 re#5")
    tally = ledger.tally(fake_slack, fake_twilio, [SUPPORT_CHANNEL])
    assert (tally.texts_lost, tally.slack_doubled, tally.order_violations) == (1, 1, 1)
    assert (tally.sms_lost, tally.sms_twice) == (1, 1)
    assert not tally.clean
