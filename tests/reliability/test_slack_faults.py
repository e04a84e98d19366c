"""Slack answering 429 (with Retry-After) or 5xx on half of chat.postMessage calls for a
while: every acknowledged text still lands exactly once and in order, and after a 429 the
channel is left alone for the Retry-After it named."""

from __future__ import annotations

import time

import pytest

from tests.fakes import FakeSlack, FakeTwilio
from tests.figures import record, scale
from tests.harness import SUPPORT_CHANNEL, AppUnderTest
from tests.reliability.faults import open_threads, send_texts, wait_all_delivered, wait_settled
from tests.reliability.ledger import Ledger

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
RETRY_AFTER = 2
GRACE = 0.5  # a post already on its way when the 429 was answered (slow under load)


def _early_posts(slack: FakeSlack) -> int:
    """Posts to a channel that came inside a Retry-After Slack gave for that channel."""
    calls = slack.calls_to("chat.postMessage")
    early = 0
    for i, limited in enumerate(calls):
        if limited.status != 429:
            continue
        channel = limited.params.get("channel")
        window = (limited.monotonic + GRACE, limited.monotonic + RETRY_AFTER)
        early += sum(1 for later in calls[i + 1:] if later.params.get("channel") == channel
                     and window[0] < later.monotonic < window[1])
    return early


def _last_post(slack: FakeSlack) -> float:
    return max(c.monotonic for c in slack.calls_to("chat.postMessage") if c.ok)


@SQLITE_ONLY
@pytest.mark.parametrize("status", [429, 503], ids=["429", "5xx"])
def test_slack_failing_half_the_posts(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio, status: int
) -> None:
    ledger = Ledger()
    open_threads(app.url, fake_slack, fake_twilio, ledger)
    window = float(scale(3, 15))
    fake_slack.fail_ratio("chat.postMessage", 0.5, status=status, retry_after=RETRY_AFTER,
                          until=window, seed=8)
    fault_ends = time.monotonic() + window
    texts = scale(16, 80)
    send_texts(app.url, fake_twilio, ledger, texts, spread=window / texts, start=100)
    wait_all_delivered(fake_slack, fake_twilio, ledger)
    wait_settled(fake_slack, app.settings.resolved_database_url)
    time.sleep(1.0)  # a few sweeps later, still exactly once
    tally = ledger.tally(fake_slack, fake_twilio, [SUPPORT_CHANNEL])
    failed = sum(1 for c in fake_slack.calls_to("chat.postMessage") if c.status == status)
    kind = "429 + Retry-After" if status == 429 else "5xx"
    section = f"fault: Slack {kind} on half the posts for {window:.0f} s"
    record(section, "texts acknowledged", ledger.count)
    record(section, f"{status}s seen", failed, target="> 0")
    record(section, "messages lost", tally.texts_lost, target="0")
    record(section, "duplicates", tally.slack_doubled, target="0")
    record(section, "order violations", tally.order_violations, target="0")
    record(section, "time to drain after the fault ends",
           f"{max(0.0, _last_post(fake_slack) - fault_ends):.1f} s")
    if status == 429:
        record(section, "posts inside Retry-After", _early_posts(fake_slack), target="0")
        assert _early_posts(fake_slack) == 0
    assert failed > 0, "the fault never hit"
    assert tally.clean, tally.problems


@SQLITE_ONLY
def test_slack_accepting_a_post_then_timing_out(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    """The post is made but its answer never comes in time: the next run finds it by its
    metadata instead of posting again."""
    ledger = Ledger()
    open_threads(app.url, fake_slack, fake_twilio, ledger)
    release = fake_slack.hang_next("chat.postMessage", record=True)
    started = time.monotonic()
    send_texts(app.url, fake_twilio, ledger, scale(4, 12), start=100)
    try:
        wait_settled(fake_slack, app.settings.resolved_database_url)
        settled = time.monotonic() - started
        time.sleep(1.5)  # a few sweeps later, still exactly once
    finally:
        release.set()
    tally = ledger.tally(fake_slack, fake_twilio, [SUPPORT_CHANNEL])
    lookups = len(fake_slack.calls_to("conversations.replies")) + len(
        fake_slack.calls_to("conversations.history"))
    section = "fault: Slack accepts a post, then times out"
    record(section, "posts of the timed-out text", 1 + tally.slack_doubled, target="1")
    record(section, "metadata lookups before posting again", lookups, target=">= 1")
    record(section, "messages lost", tally.texts_lost, target="0")
    record(section, "time until every text was posted", f"{settled:.1f} s")
    assert lookups >= 1, "no reconcile before posting again"
    assert tally.clean, tally.problems
