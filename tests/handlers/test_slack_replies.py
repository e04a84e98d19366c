"""Thread replies become SMS: permissions, notes, dedupe, edits, delivery status."""

from __future__ import annotations

import requests
from sqlalchemy import select

from storage.models import Message
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    MANAGER,
    OTHER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
    signed_slack_post,
    slack_ts,
)


def reply(
    app: AppUnderTest, slack: FakeSlack, thread_ts: str, text: str, *, user: str = AGENT,
    **kwargs: object,
):
    """A person types `text` in the thread: Slack stores it, then sends the event."""
    ts = slack.add_message(SUPPORT_CHANNEL, user=user, text=text, thread_ts=thread_ts)["ts"]
    envelope = message_event(
        team_id=app.team_id, channel=SUPPORT_CHANNEL, user=user, text=text, ts=ts,
        thread_ts=thread_ts, **kwargs,
    )
    response = send_event(app.url, envelope)
    assert response.status_code == 200, response.text
    return ts, envelope


def test_a_reply_is_texted_from_the_conversations_number_with_a_status_callback(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    reply(
        app, fake_slack, thread, "Hi! We open at <https://acme.example/hours|9am> &amp; close at 5"
    )
    fake_twilio.wait_for(lambda: fake_twilio.created)
    (sent,) = fake_twilio.created
    assert sent["params"]["From"] == SUPPORT_NUMBER
    assert sent["params"]["To"] == CUSTOMER
    assert sent["params"]["Body"] == "Hi! We open at 9am (https://acme.example/hours) & close at 5"
    assert sent["params"]["StatusCallback"].startswith(f"{app.url}/twilio/status?m=")


def test_status_shows_on_the_reply_and_never_goes_back(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    ts, _ = reply(app, fake_slack, thread, "On our way")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    sid = fake_twilio.created[0]["sid"]

    def reactions() -> set[str]:
        message = fake_slack.message(SUPPORT_CHANNEL, ts)
        return set((message or {}).get("reactions") or {})

    fake_slack.wait_for(lambda: reactions() == {"hourglass_flowing_sand"})
    assert fake_twilio.send_status(sid, "sent").status_code == 200
    fake_slack.wait_for(lambda: reactions() == {"outbox_tray"})
    assert fake_twilio.send_status(sid, "delivered").status_code == 200
    fake_slack.wait_for(lambda: reactions() == {"white_check_mark"})
    # late, out-of-order callbacks change nothing
    assert fake_twilio.send_status(sid, "sent").status_code == 200
    assert fake_twilio.send_status(sid, "queued").status_code == 200
    assert fake_twilio.send_status(sid, "undelivered", error_code=30003).status_code == 200
    app.core.runner.sweep(grace=0)
    import time

    time.sleep(0.5)
    assert reactions() == {"white_check_mark"}
    assert not [m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if ":x:" in m["text"]]


def test_a_failed_delivery_says_why_in_the_thread(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    ts, _ = reply(app, fake_slack, thread, "Call us back")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    fake_twilio.send_status(fake_twilio.created[0]["sid"], "undelivered", error_code=30006)
    note = fake_slack.wait_for(
        lambda: [m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if ":x:" in m["text"]]
    )
    assert "30006" in note[0]["text"] and "landline" in note[0]["text"]
    fake_slack.wait_for(
        lambda: "x" in ((fake_slack.message(SUPPORT_CHANNEL, ts) or {}).get("reactions") or {})
    )


def test_twilio_refusal_is_shown_with_its_reason(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    fake_twilio.unsubscribed.add(CUSTOMER)
    reply(app, fake_slack, thread, "Still there?")
    note = fake_slack.wait_for(
        lambda: [m for m in fake_slack.thread(SUPPORT_CHANNEL, thread) if ":x:" in m["text"]]
    )
    assert "21610" in note[0]["text"] and "opted out" in note[0]["text"]
    assert fake_twilio.created == []


def test_members_not_assigned_to_the_number_are_told_why_and_nothing_is_sent(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    reply(app, fake_slack, thread, "Can I help?", user=OTHER)
    (notice,) = fake_slack.wait_for(lambda: fake_slack.ephemerals)
    assert notice["user"] == OTHER and notice["channel"] == SUPPORT_CHANNEL
    assert "isn't assigned to you" in notice["text"] and "<@U0ADMIN>" in notice["text"]
    assert fake_twilio.created == []


def test_managers_may_send_from_any_number(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    reply(app, fake_slack, thread, "Manager here", user=MANAGER)
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert fake_twilio.created[0]["params"]["Body"] == "Manager here"


def test_notes_bots_and_other_subtypes_stay_in_slack(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    reply(app, fake_slack, thread, "note: customer sounded upset")
    reply(app, fake_slack, thread, "// check the invoice first")
    reply(app, fake_slack, thread, "I am a bot", bot_id="B0OTHER")
    reply(app, fake_slack, thread, "<@U0AGENT> has joined", subtype="channel_join")
    reply(app, fake_slack, thread, "from a workflow", subtype="bot_message")
    # a top-level message in the channel (not in a conversation thread) is chat, not SMS
    send_event(app.url, message_event(
        team_id=app.team_id, channel=SUPPORT_CHANNEL, user=AGENT, text="hi team", ts=slack_ts()))
    reply(app, fake_slack, thread, "real reply")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    app.core.runner.sweep(grace=0)
    assert [m["params"]["Body"] for m in fake_twilio.created] == ["real reply"]
    assert fake_slack.ephemerals == []


def test_a_slack_retry_of_the_same_event_sends_once(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    _, envelope = reply(app, fake_slack, thread, "only once")
    for attempt in (1, 2):
        retry = send_event(
            app.url, envelope,
            headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert retry.status_code == 200
    # the same message delivered under another event id (both channel and thread events)
    send_event(app.url, {**envelope, "event_id": "EvOTHER"})
    fake_twilio.wait_for(lambda: fake_twilio.created)
    app.core.runner.sweep(grace=0)
    import time

    time.sleep(0.5)
    assert len(fake_twilio.created) == 1


def test_retried_notes_and_refusals_are_kept_and_told_once(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    _, note = reply(app, fake_slack, thread, "note: customer sounds upset")
    _, refused = reply(app, fake_slack, thread, "let me help", user=OTHER)
    for envelope in (note, refused):
        retry = send_event(app.url, envelope, headers={"X-Slack-Retry-Num": "1",
                                                       "X-Slack-Retry-Reason": "http_timeout"})
        assert retry.status_code == 200
    fake_slack.wait_for(lambda: fake_slack.ephemerals)
    app.core.runner.sweep(grace=0)
    with app.core.session_factory() as session:
        notes = session.scalars(select(Message).where(Message.direction == "note")).all()
    assert [m.body for m in notes] == ["note: customer sounds upset"]
    assert [e["user"] for e in fake_slack.ephemerals] == [OTHER]
    assert fake_twilio.created == []


def test_editing_a_sent_reply_gets_an_explanation(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    ts, _ = reply(app, fake_slack, thread, "See you at 5")
    fake_twilio.wait_for(lambda: fake_twilio.created)
    original = {"type": "message", "user": AGENT, "text": "See you at 5", "ts": ts,
                "thread_ts": thread}
    edit = message_event(
        team_id=app.team_id, channel=SUPPORT_CHANNEL, user=None, text="", ts=slack_ts(),
        subtype="message_changed", hidden=True,
        message={**original, "text": "See you at 6", "edited": {"user": AGENT, "ts": "1"}},
        previous_message=original,
    )
    assert send_event(app.url, edit).status_code == 200
    (notice,) = fake_slack.wait_for(lambda: fake_slack.ephemerals)
    assert notice["user"] == AGENT and "can't be changed once sent" in notice["text"]
    assert len(fake_twilio.created) == 1


def test_too_long_replies_are_refused(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    reply(app, fake_slack, thread, "x" * 1601)
    (notice,) = fake_slack.wait_for(lambda: fake_slack.ephemerals)
    assert "1600" in notice["text"] and "1601" in notice["text"]
    assert fake_twilio.created == []


def test_forged_slack_requests_get_401(app: AppUnderTest) -> None:
    envelope = '{"type": "event_callback", "event": {"type": "message"}}'
    assert signed_slack_post(f"{app.url}/slack/events", envelope, secret="wrong").status_code == 401
    stale = signed_slack_post(
        f"{app.url}/slack/events", envelope, timestamp=int(__import__("time").time()) - 301
    )
    assert stale.status_code == 401
    unsigned = requests.post(f"{app.url}/slack/events", data=envelope, timeout=5)
    assert unsigned.status_code == 401
