"""Representative traffic for the log checks, and what must never appear in a log line:
full phone numbers (any spelling of the test numbers), message bodies (unique markers),
tokens and secrets."""

from __future__ import annotations

import re
import uuid

import requests

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    OTHER,
    SIGNING_SECRET,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    message_event,
    send_event,
    top_level,
)
from tests.media_samples import sample

SECOND_CUSTOMER = "+14155552699"
# +14155552671, 415-555-2671, (415) 555 2671, 4155552671 ...: any spelling of 415 555 xxxx
PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.\-]?)?\(?415\)?[\s.\-]?555[\s.\-]?\d{4}(?!\d)")


def marker(kind: str) -> str:
    return f"zq{kind}{uuid.uuid4().hex[:10]}"


def run_flows(url: str, slack: FakeSlack, twilio: FakeTwilio, team_id: str) -> list[str]:
    """Inbound text and MMS, a reply, status callbacks (delivered, failed), a Twilio
    rejection, STOP then a refused reply, forged requests; returns the body markers used."""
    markers = [marker("in"), marker("mms"), marker("reply"), marker("rejected"),
               marker("refused"), marker("forged"), marker("retried")]
    webhook = f"{url}/twilio/messages"
    assert twilio.send_inbound(webhook, from_=CUSTOMER, to=SUPPORT_NUMBER,
                               body=markers[0]).status_code == 200
    roots = slack.wait_for(lambda: top_level(slack, SUPPORT_CHANNEL), timeout=20)
    root = roots[0]["ts"]
    assert twilio.send_inbound(webhook, from_=CUSTOMER, to=SUPPORT_NUMBER, body=markers[1],
                               media=[("image/jpeg", sample(5))]).status_code == 200

    def reply(text: str, user: str = AGENT) -> None:
        ts = slack.add_message(SUPPORT_CHANNEL, user=user, text=text, thread_ts=root)["ts"]
        response = send_event(url, message_event(team_id=team_id, channel=SUPPORT_CHANNEL,
                                                 user=user, text=text, ts=ts, thread_ts=root))
        assert response.status_code == 200

    reply(markers[2])
    created = twilio.wait_for(lambda: twilio.created_to(CUSTOMER), timeout=20)
    assert twilio.send_status(created[0]["sid"], "delivered").status_code == 200
    twilio.fail_next_create(status=400, code=21211,
                            message=f"The 'To' number {CUSTOMER} is not a valid phone number.")
    reply(markers[3])
    slack.wait_for(lambda: [m for m in slack.thread(SUPPORT_CHANNEL, root)
                            if "21211" in str(m.get("text")) or "Not delivered" in
                            str(m.get("text"))] or slack.calls_to("reactions.add"), timeout=20)
    twilio.fail_next_create(status=500)  # outcome unknown: reconciled by listing To/From
    reply(markers[6])
    twilio.wait_for(lambda: len(twilio.created_to(CUSTOMER)) >= 2, timeout=30)
    reply(markers[4], user=OTHER)  # not assigned: refused, told
    slack.wait_for(lambda: [e for e in slack.ephemerals if e.get("user") == OTHER], timeout=20)
    assert twilio.send_inbound(webhook, from_=SECOND_CUSTOMER, to=SUPPORT_NUMBER,
                               body="STOP").status_code == 200
    forged = twilio.sign(webhook, {"Body": markers[5]})
    assert requests.post(webhook, data={"Body": markers[5], "From": CUSTOMER},
                         headers={"X-Twilio-Signature": forged}, timeout=10).status_code == 403
    assert requests.post(f"{url}/slack/events", data=markers[5], timeout=10,
                         headers={"X-Slack-Signature": "v0=00",
                                  "X-Slack-Request-Timestamp": "1"}).status_code == 401
    slack.wait_for(lambda: len([m for m in slack.thread(SUPPORT_CHANNEL, root)]) >= 4,
                   timeout=20)
    return markers


def leaks(text: str, *, markers: list[str], secrets: list[str]) -> list[str]:
    """Every forbidden thing found in `text`, named (never the secret itself)."""
    found = [f"phone {m.group(0)!r}" for m in PHONE.finditer(text)]
    found += [f"body {m}" for m in markers if m in text]
    found += [f"secret #{i}" for i, s in enumerate(secrets) if s and s in text]
    return found


def secrets_of(slack: FakeSlack, twilio: FakeTwilio) -> list[str]:
    return [slack.bot_token, SIGNING_SECRET, twilio.auth_token]
