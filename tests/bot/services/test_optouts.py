"""Opt-outs end to end: STOP/START from the customer, Twilio's 21610, Messaging Service–wide
opt-outs; every send path refuses before Twilio is called, and the thread shows why."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from storage.models import AuditEntry, Message, OptOut
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    MANAGER,
    SALES_CHANNEL,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
)

SERVICE = "MG" + "0123456789abcdef" * 2


def reply(
    app: AppUnderTest, slack: FakeSlack, thread: str, text: str, *, user: str = AGENT,
    channel: str = SUPPORT_CHANNEL,
) -> str:
    """A person types `text` in the thread: Slack stores it, then sends the event."""
    ts = str(slack.add_message(channel, user=user, text=text, thread_ts=thread)["ts"])
    envelope = message_event(
        team_id=app.team_id, channel=channel, user=user, text=text, ts=ts, thread_ts=thread
    )
    assert send_event(app.url, envelope).status_code == 200
    return ts


def text_in(
    app: AppUnderTest, twilio: FakeTwilio, body: str, *, to: str = SUPPORT_NUMBER,
    from_: str = CUSTOMER, **kwargs: Any,
) -> None:
    response = twilio.send_inbound(f"{app.url}/twilio/messages", from_=from_, to=to, body=body,
                                   **kwargs)
    assert response.status_code == 200, response.text


def wait_for_note(
    slack: FakeSlack, thread: str, start: str, channel: str = SUPPORT_CHANNEL
) -> dict[str, Any]:
    found = slack.wait_for(lambda: [
        m for m in slack.thread(channel, thread) if m["text"].startswith(start)
    ])
    return dict(found[-1])


def root_text(slack: FakeSlack, thread: str, channel: str = SUPPORT_CHANNEL) -> str:
    return json.dumps((slack.message(channel, thread) or {}).get("blocks"), ensure_ascii=False)


def creates(twilio: FakeTwilio) -> int:
    """Create requests Twilio received (refused ones too)."""
    return len([r for r in twilio.requests if r.method == "POST" and r.path.endswith(
        "/Messages.json")])


def refusals(slack: FakeSlack, user: str = AGENT) -> list[str]:
    return [e["text"] for e in slack.ephemerals if e["user"] == user and "opted out" in e["text"]]


def outbound(app: AppUnderTest) -> list[Message]:
    with app.core.session_factory() as session:
        return list(session.scalars(
            select(Message).where(Message.direction == "outbound").order_by(Message.id)
        ))


def test_stop_is_shown_and_blocks_replies_until_start(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    text_in(app, fake_twilio, " Stop ")
    note = wait_for_note(fake_slack, thread, "🚫 Opted out by STOP at <!date^")
    texts = [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, thread)]
    assert " Stop " in texts or "Stop" in [t.strip() for t in texts], "the text is posted too"
    assert texts.index(note["text"]) > 0
    fake_slack.wait_for(lambda: "Opted out" in root_text(fake_slack, thread))

    reply(app, fake_slack, thread, "Sorry to see you go!")
    fake_slack.wait_for(lambda: refusals(fake_slack))
    (refusal,) = refusals(fake_slack)
    assert refusal.startswith("Not sent: +1 415-555-2671 opted out of texts from Support")
    assert "by STOP at <!date^" in refusal
    assert creates(fake_twilio) == 0 and outbound(app) == [], "nothing queued, Twilio not called"

    text_in(app, fake_twilio, "START")
    wait_for_note(fake_slack, thread, "✅ Opted back in by START at ")
    fake_slack.wait_for(lambda: "Opted out" not in root_text(fake_slack, thread))
    reply(app, fake_slack, thread, "Welcome back")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert [c["params"]["Body"] for c in fake_twilio.created] == ["Welcome back"]

    with app.core.session_factory() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["optout", "optin"])).order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor, e.contact_e164, e.number_e164, (e.detail or {})["keyword"])
                for e in entries] == [
            ("optout", "customer", CUSTOMER, SUPPORT_NUMBER, "STOP"),
            ("optin", "customer", CUSTOMER, SUPPORT_NUMBER, "START"),
        ]


def test_a_repeated_stop_adds_no_second_note(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    text_in(app, fake_twilio, "STOP")
    wait_for_note(fake_slack, thread, "🚫 Opted out by STOP")
    text_in(app, fake_twilio, "unsubscribe")
    fake_slack.wait_for(lambda: "unsubscribe" in [
        m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, thread)])
    app.core.runner.sweep(grace=0)
    notes = [m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if "Opted out" in m["text"]]
    assert len(notes) == 1


def test_near_misses_are_ordinary_texts(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio, body="stop please")
    text_in(app, fake_twilio, "STOP!")
    fake_slack.wait_for(lambda: "STOP!" in [
        m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, thread)])
    reply(app, fake_slack, thread, "Still here")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert not [m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if "Opted" in m["text"]]


def test_twilios_opt_out_type_wins(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    text_in(app, fake_twilio, "Arrêtez", extra={"OptOutType": "STOP"})
    wait_for_note(fake_slack, thread, "🚫 Opted out by STOP")
    reply(app, fake_slack, thread, "ok")
    fake_slack.wait_for(lambda: refusals(fake_slack))
    assert creates(fake_twilio) == 0


def test_a_reply_queued_before_the_stop_is_refused_at_delivery(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    release = fake_twilio.hang_next_create(record=True)  # holds the conversation's send lane
    reply(app, fake_slack, thread, "first")
    fake_twilio.wait_for(lambda: creates(fake_twilio) == 1)
    reply(app, fake_slack, thread, "second, queued behind it")
    fake_twilio.wait_for(lambda: len(outbound(app)) == 2)
    text_in(app, fake_twilio, "QUIT")  # committed before the second send runs
    release.set()
    fake_slack.wait_for(lambda: refusals(fake_slack), timeout=20)
    first, second = outbound(app)
    assert first.twilio_sid and second.twilio_sid is None
    assert (second.status, second.error_code, second.send_attempted_at) == ("failed", 21610, None)
    assert [c["params"]["Body"] for c in fake_twilio.created] == ["first"]
    assert "by QUIT at" in refusals(fake_slack)[0]
    failure = wait_for_note(fake_slack, thread, ":x: Not delivered")
    assert "21610" in failure["text"] and "opted out" in failure["text"]


def test_twilio_21610_on_create_records_the_opt_out(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    fake_twilio.unsubscribed.add(CUSTOMER)  # STOP said to Twilio before this app knew
    reply(app, fake_slack, thread, "Your order shipped")
    note = wait_for_note(fake_slack, thread, "🚫 Opted out (Twilio refused a text with error")
    assert "21610" in note["text"]
    fake_slack.wait_for(lambda: "21610" in root_text(fake_slack, thread))
    (message,) = outbound(app)
    assert (message.status, message.error_code) == ("failed", 21610)
    reply(app, fake_slack, thread, "Hello?")
    fake_slack.wait_for(lambda: refusals(fake_slack))
    assert creates(fake_twilio) == 1, "the second reply never reached Twilio"
    with app.core.session_factory() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "optout"))
        assert (entry.actor, entry.contact_e164) == ("twilio", CUSTOMER)


def test_twilio_21610_in_a_status_callback_records_the_opt_out(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    reply(app, fake_slack, thread, "Reminder: appointment tomorrow")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    sid = fake_twilio.created[0]["sid"]
    assert fake_twilio.send_status(sid, "failed", error_code=21610).status_code == 200
    wait_for_note(fake_slack, thread, "🚫 Opted out (Twilio refused a text with error 21610")
    reply(app, fake_slack, thread, "Hello?")
    fake_slack.wait_for(lambda: refusals(fake_slack))
    assert creates(fake_twilio) == 1


def test_an_opt_out_covers_every_number_of_the_messaging_service(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    first, second = "+14155550111", "+14155550112"
    for number, channel in ((first, SUPPORT_CHANNEL), (second, SALES_CHANNEL)):
        app.core.services.admin.add_number(
            team_id=app.team_id, number=number, channel_id=channel, label=None,
            messaging_service_sid=SERVICE, actor="test",
        )
    thread_a = open_conversation(app, fake_slack, fake_twilio, number=first)
    text_in(app, fake_twilio, "STOPALL", to=first, messaging_service_sid=SERVICE)
    wait_for_note(fake_slack, thread_a, "🚫 Opted out by STOPALL")
    thread_b = open_conversation(app, fake_slack, fake_twilio, number=second,
                                 channel=SALES_CHANNEL)
    assert "Opted out* by STOPALL" in root_text(fake_slack, thread_b, SALES_CHANNEL)
    reply(app, fake_slack, thread_b, "From the other number", user=MANAGER,
          channel=SALES_CHANNEL)
    fake_slack.wait_for(lambda: refusals(fake_slack, MANAGER))
    assert "+1 415-555-0112" in refusals(fake_slack, MANAGER)[0]
    assert creates(fake_twilio) == 0
    with app.core.session_factory() as session:
        (row,) = session.scalars(select(OptOut))
        assert row.scope == f"service:{SERVICE}"

    text_in(app, fake_twilio, "unstop", to=second, messaging_service_sid=SERVICE)
    wait_for_note(fake_slack, thread_b, "✅ Opted back in by UNSTOP", channel=SALES_CHANNEL)
    reply(app, fake_slack, thread_a, "Back on the first number", user=MANAGER)
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert fake_twilio.created[0]["params"]["MessagingServiceSid"] == SERVICE


def test_help_gets_no_answer_from_the_app_by_default(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    text_in(app, fake_twilio, "help")
    fake_slack.wait_for(lambda: "help" in [
        m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, thread)])
    app.core.runner.sweep(grace=0)
    assert creates(fake_twilio) == 0 and outbound(app) == []
    assert not [m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if "🤖" in m["text"]]


def test_every_message_stores_its_segment_count(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio, body="€" * 81)
    reply(app, fake_slack, thread, "😀" * 36)
    fake_twilio.wait_for(lambda: fake_twilio.created)
    with app.core.session_factory() as session:
        stored = {m.direction: m.num_segments for m in session.scalars(select(Message))}
    assert stored == {"inbound": 2, "outbound": 2}
