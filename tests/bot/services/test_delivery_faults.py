"""The outbox under faults: lost answers are reconciled, rate limits honoured, order kept."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.models import Message, OutboxItem
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    SALES_CHANNEL,
    SALES_NUMBER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
    top_level,
)


def _reply(app: AppUnderTest, slack: FakeSlack, thread: str, text: str) -> str:
    ts = str(slack.add_message(SUPPORT_CHANNEL, user=AGENT, text=text, thread_ts=thread)["ts"])
    envelope = message_event(
        team_id=app.team_id, channel=SUPPORT_CHANNEL, user=AGENT, text=text, ts=ts,
        thread_ts=thread,
    )
    assert send_event(app.url, envelope).status_code == 200
    return ts


def _all_done(app: AppUnderTest) -> bool:
    with app.core.session_factory() as session:
        states = session.scalars(select(OutboxItem.state)).all()
    return bool(states) and all(state != "pending" for state in states)


def _sent_messages(app: AppUnderTest) -> list[Message]:
    with app.core.session_factory() as session:
        return list(
            session.scalars(select(Message).where(Message.direction == "outbound")).all()
        )


def test_a_slack_post_whose_answer_was_lost_is_found_not_repeated(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_slack.hang_next("chat.postMessage", record=True)  # Slack posts, the answer never comes
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER,
                             body="hello")
    fake_slack.wait_for(lambda: fake_slack.hung.is_set())
    fake_slack.wait_for(lambda: _all_done(app), timeout=30)
    roots = top_level(fake_slack, SUPPORT_CHANNEL)
    assert len(roots) == 1
    assert [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, roots[0]["ts"])] == ["hello"]
    assert fake_slack.calls_to("conversations.history"), "the lost post was reconciled"


def test_a_twilio_create_whose_answer_was_lost_is_not_sent_again(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    fake_twilio.hang_next_create(record=True)
    _reply(app, fake_slack, thread, "exactly once please")
    fake_twilio.wait_for(lambda: _all_done(app), timeout=30)
    assert len(fake_twilio.created) == 1
    (message,) = _sent_messages(app)
    assert message.twilio_sid == fake_twilio.created[0]["sid"]
    list_calls = [r for r in fake_twilio.requests if r.method == "GET" and "Messages" in r.path]
    assert list_calls, "the unknown outcome was reconciled through the Messages list"


def test_a_twilio_create_that_never_happened_is_sent_after_reconciling(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    fake_twilio.hang_next_create(record=False)
    _reply(app, fake_slack, thread, "second time lucky")
    fake_twilio.wait_for(lambda: _all_done(app), timeout=30)
    assert [m["params"]["Body"] for m in fake_twilio.created] == ["second time lucky"]


def test_identical_texts_are_not_mistaken_for_each_other_when_reconciling(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    _reply(app, fake_slack, thread, "ok")
    fake_twilio.wait_for(lambda: len(fake_twilio.created) == 1)
    fake_twilio.hang_next_create(record=False)
    _reply(app, fake_slack, thread, "ok")
    fake_twilio.wait_for(lambda: _all_done(app) and len(fake_twilio.created) == 2, timeout=30)
    sids = {m.twilio_sid for m in _sent_messages(app)}
    assert sids == {m["sid"] for m in fake_twilio.created}


def test_twilio_rate_limits_and_server_errors_are_retried(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    fake_twilio.fail_next_create(status=429, code=20429, times=2)
    fake_twilio.fail_next_create(status=503, times=1)
    _reply(app, fake_slack, thread, "persistent")
    fake_twilio.wait_for(lambda: _all_done(app), timeout=40)
    assert [m["params"]["Body"] for m in fake_twilio.created] == ["persistent"]
    assert _sent_messages(app)[0].twilio_sid == fake_twilio.created[0]["sid"]


def test_slack_429_is_honoured_per_channel_and_other_channels_go_on(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=3, times=1)
    fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="support, please")
    fake_slack.wait_for(lambda: fake_slack.calls_to("chat.postMessage"))
    limited_at = time.monotonic()
    fake_twilio.send_inbound(url, from_=CUSTOMER, to=SALES_NUMBER, body="sales, please")
    fake_slack.wait_for(lambda: len(fake_slack.thread(
        SALES_CHANNEL, (top_level(fake_slack, SALES_CHANNEL) or [{"ts": "-"}])[0]["ts"])) == 1)
    assert time.monotonic() - limited_at < 2.5, "another channel waited for the rate limit"
    fake_slack.wait_for(lambda: _all_done(app), timeout=20)
    support_posts = [c for c in fake_slack.calls_to("chat.postMessage")
                     if c.params.get("channel") == SUPPORT_CHANNEL]
    assert support_posts[1].monotonic - support_posts[0].monotonic >= 2.9  # Retry-After: 3
    (root,) = top_level(fake_slack, SUPPORT_CHANNEL)
    assert [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, root["ts"])] == [
        "support, please"
    ]


def test_a_429_storm_loses_and_doubles_nothing_and_keeps_thread_order(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=6)
    bodies = [f"text {i}" for i in range(12)]
    for body in bodies:
        assert fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER,
                                        body=body).status_code == 200
    fake_slack.wait_for(lambda: _all_done(app), timeout=60)
    (root,) = top_level(fake_slack, SUPPORT_CHANNEL)
    assert [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, root["ts"])] == bodies
