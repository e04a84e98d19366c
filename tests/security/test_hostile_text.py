"""Hostile customer texts end to end: Twilio webhook → database → outbox → FakeSlack. Never
a ping, never a hidden link, never a 5xx, and the text arrives exactly as sent."""

from __future__ import annotations

from urllib.parse import quote_from_bytes, urlencode

import requests
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from bot.keywords import classify
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
    top_level,
)
from tests.security.hostile import (
    HOSTILE_BODIES,
    control_sequences_from_customer,
    posted_strings,
    slack_unescape,
)
from tests.security.props import examples, record

HOSTILE_CHARS = st.text(
    st.one_of(
        st.sampled_from(list("<>&|!@#*_~`^\u202e\u202d\u200b\u200c\u200d\ufeff")),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1, max_size=300,
)


def thread_texts(slack: FakeSlack) -> list[str]:
    roots = top_level(slack, SUPPORT_CHANNEL)
    if not roots:
        return []
    return [str(m.get("text") or "") for m in slack.thread(SUPPORT_CHANNEL, roots[0]["ts"])]


def as_decoded(form: bytes) -> dict[str, str]:
    """The form as the app's web framework reads it (invalid UTF-8 stays percent-encoded)."""
    environ = EnvironBuilder(method="POST", data=form,
                             content_type="application/x-www-form-urlencoded").get_environ()
    return dict(Request(environ).form)


def send_raw_body(
    app: AppUnderTest, twilio: FakeTwilio, raw: bytes, sid: str
) -> tuple[requests.Response, str]:
    """An inbound webhook whose Body is arbitrary bytes (invalid UTF-8, NUL), signed over
    the form the app decodes, as a carrier gateway passing junk through would send it.
    Returns the answer and the Body as the app reads it."""
    params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": twilio.account_sid,
              "From": CUSTOMER, "To": SUPPORT_NUMBER, "NumMedia": "0"}
    url = f"{app.url}/twilio/messages"
    form = (urlencode(params) + "&Body=" + quote_from_bytes(raw)).encode()
    decoded = as_decoded(form)
    response = requests.post(url, data=form, timeout=15, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio.sign(url, decoded)})
    return response, decoded["Body"]


def test_hostile_texts_reach_slack_as_plain_text(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    sent: list[str] = []
    server_errors = 0

    def deliver(body: str) -> None:
        nonlocal server_errors
        response = fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body=body)
        server_errors += response.status_code >= 500
        assert response.status_code == 200, (body[:80], response.status_code, response.text)
        sent.append(body.replace("\x00", "\ufffd"))  # NUL is stored and shown as U+FFFD
        fake_slack.wait_for(lambda: len(thread_texts(fake_slack)) == len(sent), timeout=20)

    for body in HOSTILE_BODIES:
        deliver(body)

    @examples(8, 150)
    # a carrier keyword (STOP, END, HELP…) gets its own answers in the thread: not this test
    @given(HOSTILE_CHARS.filter(lambda b: b.strip() != "" and classify(b) is None))
    def generated(body: str) -> None:
        deliver(body)

    generated()
    for index, raw in enumerate([b"caf\xe9 \xff\xfe <!channel>", b"nul\x00byte <@U0EVIL>",
                                 b"\xed\xa0\x80 lone surrogate", b"\xc0\xaf overlong"]):
        response, body = send_raw_body(app, fake_twilio, raw, f"SM{index:032d}")
        server_errors += response.status_code >= 500
        assert response.status_code == 200, (raw, response.status_code, response.text)
        sent.append(body.replace("\x00", "\ufffd"))
        fake_slack.wait_for(lambda: len(thread_texts(fake_slack)) == len(sent), timeout=20)

    shown = [slack_unescape(text) for text in thread_texts(fake_slack)]
    # the exact text, nothing dropped or rewritten (NUL shown as U+FFFD)
    changed = [(i, a, b) for i, (a, b) in enumerate(zip(shown, sent, strict=True)) if a != b]
    assert changed == []
    pings = control_sequences_from_customer(posted_strings(fake_slack))
    record("hostile text", "hostile texts delivered", len(sent))
    record("hostile text", "pings or hidden links in Slack posts", len(pings), target="0")
    record("hostile text", "5xx answers to hostile texts", server_errors, target="0")
    assert pings == []


def test_hostile_replies_from_slack_never_fail_the_event(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    """Slack's JSON can carry NUL and lone surrogates; a reply carrying them, or mentions
    and links, is sent as plain text or refused with a reason, never answered 5xx (Slack
    would retry it for ever)."""
    root = open_conversation(app, fake_slack, fake_twilio)
    replies = ["hi <@U0AGENT> see <http://example.com|this> &amp; <!channel>",
               "nul\x00inside", "lone \ud800 surrogate", "x" * 1601]
    statuses = []
    for text in replies:
        ts = fake_slack.add_message(SUPPORT_CHANNEL, user=AGENT, text="reply", thread_ts=root)["ts"]
        response = send_event(app.url, message_event(
            team_id=app.team_id, channel=SUPPORT_CHANNEL, user=AGENT, text=text, ts=ts,
            thread_ts=root))
        statuses.append(response.status_code)
    record("hostile text", "5xx answers to hostile Slack replies",
           sum(s >= 500 for s in statuses), target="0")
    assert statuses == [200] * len(replies)
    sent = fake_twilio.wait_for(lambda: len(fake_twilio.created_to(CUSTOMER)) >= 3 and
                                fake_twilio.created_to(CUSTOMER), timeout=20)
    bodies = [m["body"] for m in sent]
    assert bodies == ["hi @someone see this (http://example.com) & @channel",
                      "nul\ufffdinside", "lone \ufffd surrogate"]
    # too long: refused and told, not sent
    fake_slack.wait_for(lambda: [e for e in fake_slack.ephemerals if "1600" in e["text"]])
