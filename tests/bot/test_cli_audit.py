"""`smsbridge audit`: one line per entry (time, actor, action, subject, detail), filters by
number, contact, member and day; bad filters are one `error:` line and exit 1."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    SALES_CHANNEL,
    SALES_NUMBER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    open_conversation,
)
from tests.process import cli

OTHER_CUSTOMER = "+14155552672"


def _cli(env: dict[str, str], *args: str) -> list[str]:
    result = cli({k: v for k, v in env.items() if not k.startswith("_")}, "audit", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _opt_outs_and_back(app: AppUnderTest, slack: FakeSlack, twilio: FakeTwilio) -> None:
    """CUSTOMER: STOP then START on Support; OTHER_CUSTOMER: QUIT on Sales."""
    url = f"{app.url}/twilio/messages"
    support = open_conversation(app, slack, twilio)
    sales = open_conversation(app, slack, twilio, customer=OTHER_CUSTOMER, number=SALES_NUMBER,
                              channel=SALES_CHANNEL)
    for customer, number, body, channel, thread, note in (
        (CUSTOMER, SUPPORT_NUMBER, "STOP", SUPPORT_CHANNEL, support, "🚫"),
        (CUSTOMER, SUPPORT_NUMBER, "start", SUPPORT_CHANNEL, support, "✅"),
        (OTHER_CUSTOMER, SALES_NUMBER, "quit", SALES_CHANNEL, sales, "🚫"),
    ):
        assert twilio.send_inbound(url, from_=customer, to=number, body=body).status_code == 200
        slack.wait_for(lambda c=channel, t=thread, n=note: [  # type: ignore[misc]
            m for m in slack.thread(c, t) if m["text"].startswith(n)])


def test_audit_lists_every_entry_and_filters(
    app: AppUnderTest, env: dict[str, str], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    _opt_outs_and_back(app, fake_slack, fake_twilio)
    lines = _cli(env)
    actions = [line.split("  ")[2] for line in lines]
    assert actions == [
        "number.add", "number.add", "number.assign", "role.grant", "role.grant",
        "optout", "optin", "optout",
    ]
    stamp, actor, action, subject, detail = lines[5].split("  ")
    assert datetime.strptime(stamp, "%Y-%m-%d %H:%M:%SZ").replace(tzinfo=UTC) > (
        datetime.now(UTC) - timedelta(minutes=5)
    )
    assert (actor, action, subject) == ("customer", "optout", f"{CUSTOMER} on {SUPPORT_NUMBER}")
    parsed = json.loads(detail)
    assert parsed["keyword"] == "STOP" and parsed["scope"].startswith("number:")

    by_contact = _cli(env, "--contact", "(415) 555-2671")
    assert [line.split("  ")[2] for line in by_contact] == ["optout", "optin"]
    by_number = _cli(env, "--number", SALES_NUMBER)
    assert [line.split("  ")[2] for line in by_number] == ["number.add", "optout"]
    assert OTHER_CUSTOMER in by_number[1]
    both = _cli(env, "--number", SUPPORT_NUMBER, "--contact", OTHER_CUSTOMER)
    assert both == ["no audit entries match"]
    by_member = _cli(env, "--member", AGENT)
    assert [line.split("  ")[2] for line in by_member] == ["number.assign"]

    today = datetime.now(UTC).date()
    assert len(_cli(env, "--since", today.isoformat(), "--until", today.isoformat())) == 8
    yesterday = (today - timedelta(days=1)).isoformat()
    assert _cli(env, "--until", yesterday) == ["no audit entries match"]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert _cli(env, "--since", tomorrow) == ["no audit entries match"]


def test_bad_audit_filters_are_one_error_line(env: dict[str, str], fake_slack: FakeSlack) -> None:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    cases = [
        (("--number", "hello"), "not a phone number"),
        (("--contact", "12"), "phone number"),
        (("--member", "ann"), "not a Slack user ID"),
        (("--since", "2026-13-01"), "--since “2026-13-01” is not a date"),
        (("--until", "24/11/2026"), "--until “24/11/2026” is not a date"),
        (("--since", "2026-02-01", "--until", "2026-01-31"), "is after --until"),
    ]
    for args, expected in cases:
        result = cli(settings, "audit", *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("error: ") and expected in result.stderr, result.stderr
        assert result.stdout == ""
