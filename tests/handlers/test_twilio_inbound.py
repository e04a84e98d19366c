"""POST /twilio/messages: signed texts land in their conversation thread, once."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Contact, Conversation, Message, OutboxItem
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, AppUnderTest, top_level


def _count(app: AppUnderTest, model: type) -> int:
    with app.core.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _thread_replies(slack: FakeSlack, channel: str) -> list[dict]:
    roots = top_level(slack, channel)
    assert len(roots) <= 1
    return slack.thread(channel, roots[0]["ts"]) if roots else []


def test_first_text_opens_a_thread_and_later_texts_join_it(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    response = fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="Hi there")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert "<Response></Response>" in response.text

    fake_slack.wait_for(lambda: len(_thread_replies(fake_slack, SUPPORT_CHANNEL)) == 1)
    (root,) = top_level(fake_slack, SUPPORT_CHANNEL)
    assert "+1 415-555-2671" in root["text"]  # the contact, by number (no name yet)
    assert "Support (+1 415-555-0100)" in root["text"]  # the SMS number it texted
    assert _thread_replies(fake_slack, SUPPORT_CHANNEL)[0]["text"] == "Hi there"

    fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="Are you open?")
    fake_slack.wait_for(lambda: len(_thread_replies(fake_slack, SUPPORT_CHANNEL)) == 2)
    texts = [m["text"] for m in _thread_replies(fake_slack, SUPPORT_CHANNEL)]
    assert texts == ["Hi there", "Are you open?"]
    assert len(top_level(fake_slack, SUPPORT_CHANNEL)) == 1

    def recorded_ts() -> list[str | None]:
        with app.core.session_factory() as session:
            stored = session.scalars(select(Message).order_by(Message.id)).all()
            return [m.slack_ts for m in stored]

    fake_slack.wait_for(lambda: None not in recorded_ts())
    with app.core.session_factory() as session:
        conversation = session.scalars(select(Conversation)).one()
    assert conversation.thread_ts == root["ts"]
    assert recorded_ts() == [
        m["ts"] for m in _thread_replies(fake_slack, SUPPORT_CHANNEL)
    ]


def test_customer_text_is_escaped_everywhere(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    hostile = "<!channel> ping <@U0AGENT> see <https://evil.example|your bank> & more"
    fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body=hostile
    )
    replies = fake_slack.wait_for(lambda: _thread_replies(fake_slack, SUPPORT_CHANNEL))
    posted = replies[0]
    assert posted["text"] == (
        "&lt;!channel&gt; ping &lt;@U0AGENT&gt; see &lt;https://evil.example|your bank&gt; "
        "&amp; more"
    )
    for call in fake_slack.calls_to("chat.postMessage"):
        assert "<!channel>" not in str(call.params) and "<@U0AGENT>" not in str(call.params)
        assert call.params.get("unfurl_links") in (False, "false", "0", 0)


def test_the_same_webhook_three_times_is_stored_and_posted_once(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    sid = "SM" + "ab" * 16
    for _ in range(3):
        response = fake_twilio.send_inbound(
            url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="once", message_sid=sid
        )
        assert response.status_code == 200
    fake_slack.wait_for(lambda: _thread_replies(fake_slack, SUPPORT_CHANNEL))
    app.core.runner.sweep(grace=0)  # nothing left to do
    assert _count(app, Message) == 1
    assert [m["text"] for m in _thread_replies(fake_slack, SUPPORT_CHANNEL)] == ["once"]


def test_forged_or_unsigned_webhooks_get_403_and_store_nothing(
    app: AppUnderTest, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    params = {
        "MessageSid": "SM" + "cd" * 16, "From": CUSTOMER, "To": SUPPORT_NUMBER, "Body": "x",
        "AccountSid": fake_twilio.account_sid,
    }
    good = fake_twilio.sign(url, params)
    import requests

    forged = [
        ({}, params),  # no signature
        ({"X-Twilio-Signature": good}, {**params, "Body": "tampered"}),
        ({"X-Twilio-Signature": fake_twilio.sign(url + "?x=1", params)}, params),  # other URL
        ({"X-Twilio-Signature": good[:-2] + "AA"}, params),
    ]
    for headers, form in forged:
        response = requests.post(url, data=form, headers=headers, timeout=10)
        assert response.status_code == 403
    assert _count(app, Message) == 0 and _count(app, Contact) == 0 and _count(app, OutboxItem) == 0


def test_bad_input_is_refused_with_a_reason(app: AppUnderTest, fake_twilio: FakeTwilio) -> None:
    url = f"{app.url}/twilio/messages"
    response = fake_twilio.send_inbound(url, from_=CUSTOMER, to="+14155550000", body="x")
    assert response.status_code == 404 and "not an SMS number" in response.text
    response = fake_twilio.send_inbound(url, from_="not-a-number", to=SUPPORT_NUMBER, body="x")
    assert response.status_code == 400 and "not a phone number" in response.text
    assert _count(app, Message) == 0
