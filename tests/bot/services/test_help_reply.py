"""SMSBRIDGE_HELP_REPLY set: the app answers HELP/INFO itself, from the same number, through
the outbox, and the answer shows in the thread."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Message
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, AppUnderTest, open_conversation

HELP_TEXT = "Acme Support: reply STOP to opt out. Call 415-555-0100 <9am-5pm> & more."


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "SMSBRIDGE_HELP_REPLY": HELP_TEXT}


def test_help_and_info_get_the_configured_answer_in_the_thread(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio, body="HELP")
    note = fake_slack.wait_for(lambda: [
        m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if m["text"].startswith("🤖")])
    assert note[0]["text"] == (
        "🤖 Automatic answer to HELP: Acme Support: reply STOP to opt out. "
        "Call 415-555-0100 &lt;9am-5pm&gt; &amp; more."
    )
    fake_twilio.wait_for(lambda: fake_twilio.created)
    (sent,) = fake_twilio.created
    assert (sent["params"]["From"], sent["params"]["To"], sent["params"]["Body"]) == (
        SUPPORT_NUMBER, CUSTOMER, HELP_TEXT
    )
    def recorded_answer() -> Message | None:
        # the worker records the note's ts just after Slack answers: poll, don't race it
        with app.core.session_factory() as session:
            (answer,) = session.scalars(select(Message).where(Message.direction == "outbound"))
            return answer if answer.slack_ts else None

    answer = fake_slack.wait_for(recorded_answer)
    assert answer.sender_user_id is None and answer.num_segments == 1
    assert answer.slack_ts == note[0]["ts"]
    # the delivery state shows on the answer like on any reply
    fake_slack.wait_for(lambda: (fake_slack.message(SUPPORT_CHANNEL, note[0]["ts"]) or {}).get(
        "reactions"))

    response = fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER,
                                        to=SUPPORT_NUMBER, body="info")
    assert response.status_code == 200
    fake_twilio.wait_for(lambda: len(fake_twilio.created) == 2)


def test_an_opted_out_customer_gets_no_help_answer(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio, body="STOP")
    fake_slack.wait_for(lambda: [
        m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if "Opted out" in m["text"]])
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER,
                             body="HELP")
    fake_slack.wait_for(lambda: "HELP" in [
        m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, thread)])
    app.core.runner.sweep(grace=0)
    assert fake_twilio.created == []
    with app.core.session_factory() as session:
        assert session.scalars(select(Message).where(Message.direction == "outbound")).all() == []
