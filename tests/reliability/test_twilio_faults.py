"""Twilio refusing creates with 20429 (Too Many Requests) or 5xx for a while, and Twilio
accepting a create but never answering: every acknowledged reply is sent exactly once, in
order; a create whose answer was lost is found through the Messages list, never resent."""

from __future__ import annotations

import time

import pytest

from tests.fakes import FakeSlack, FakeTwilio
from tests.figures import record, scale
from tests.harness import SUPPORT_CHANNEL, AppUnderTest
from tests.reliability.faults import open_threads, send_replies, wait_all_delivered, wait_settled
from tests.reliability.ledger import Ledger

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _creates(twilio: FakeTwilio) -> list:
    return [r for r in list(twilio.requests)
            if r.method == "POST" and r.path.endswith("/Messages.json")]


def _lists(twilio: FakeTwilio) -> int:
    return sum(1 for r in list(twilio.requests)
               if r.method == "GET" and r.path.endswith("/Messages.json"))


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("status", "code"), [(429, 20429), (500, 20500), (503, 20503)], ids=["20429", "500", "503"]
)
def test_twilio_refusing_creates_for_a_while(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio, status: int, code: int
) -> None:
    ledger = Ledger()
    open_threads(app.url, fake_slack, fake_twilio, ledger)
    failures = scale(4, 20)
    fake_twilio.fail_next_create(status=status, code=code, times=failures)
    send_replies(app.url, fake_slack, ledger, scale(8, 40))
    fake_twilio.wait_for(lambda: sum(1 for r in _creates(fake_twilio) if r.status == status)
                         == failures, timeout=60)
    fault_ends = max(r.monotonic for r in _creates(fake_twilio) if r.status == status)
    wait_all_delivered(fake_slack, fake_twilio, ledger)
    wait_settled(fake_slack, app.settings.resolved_database_url)
    time.sleep(1.0)  # a few sweeps later, still exactly once
    tally = ledger.tally(fake_slack, fake_twilio, [SUPPORT_CHANNEL])
    last_create = max(r.monotonic for r in _creates(fake_twilio) if r.status == 201)
    section = f"fault: Twilio {code} ({status}) on {failures} creates in a row"
    record(section, "replies acknowledged", ledger.count - 4)
    record(section, f"{status}s seen", failures, target=str(failures))
    record(section, "messages lost", tally.sms_lost, target="0")
    record(section, "duplicates (SMS sent twice)", tally.sms_twice, target="0")
    record(section, "order violations", tally.order_violations, target="0")
    record(section, "time to drain after the fault ends",
           f"{max(0.0, last_create - fault_ends):.1f} s")
    assert tally.clean, tally.problems


@SQLITE_ONLY
def test_twilio_timing_out_after_accepting_a_create(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    ledger = Ledger()
    open_threads(app.url, fake_slack, fake_twilio, ledger)
    release = fake_twilio.hang_next_create(record=True)  # created, answer never comes in time
    started = time.monotonic()
    send_replies(app.url, fake_slack, ledger, scale(3, 10))
    try:
        wait_all_delivered(fake_slack, fake_twilio, ledger)
        wait_settled(fake_slack, app.settings.resolved_database_url)
        settled = time.monotonic() - started
        time.sleep(1.5)  # a few sweeps later, still exactly once
    finally:
        release.set()
    tally = ledger.tally(fake_slack, fake_twilio, [SUPPORT_CHANNEL])
    first = str(fake_twilio.created[0]["params"]["Body"])
    once = [r for r in fake_twilio.created if r["params"]["Body"] == first]
    section = "fault: Twilio accepts a create, then times out"
    record(section, "SMS created for the timed-out reply", len(once), target="1")
    record(section, "Messages list reconciliations", _lists(fake_twilio), target=">= 1")
    record(section, "messages lost", tally.sms_lost, target="0")
    record(section, "duplicates (SMS sent twice)", tally.sms_twice, target="0")
    record(section, "time until every reply was sent",
           f"{settled:.1f} s")
    assert len(once) == 1, "the create whose answer was lost was sent again"
    assert _lists(fake_twilio) >= 1, "no reconcile through the Messages list"
    assert tally.clean, tally.problems
