"""SIGKILL the web process and the worker at random moments while inbound texts, MMS and
thread replies flow, restarting each time: nothing acknowledged is lost, nothing is posted
or sent twice, every conversation stays in order. The seed is printed (and recorded) so a
failing run can be replayed with RELIABILITY_SEED."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from tests.fakes import FakeSlack, FakeTwilio
from tests.figures import record, scale
from tests.harness import SUPPORT_CHANNEL, SUPPORT_NUMBER
from tests.reliability.faults import outbox_settled
from tests.reliability.ledger import Ledger
from tests.reliability.stack import Stack, stack
from tests.reliability.traffic import Traffic

SEED = int(os.environ.get("RELIABILITY_SEED", "20261124"))
TARGETS = ("serve", "worker", "both")


def _kill_and_restart(running: Stack, target: str) -> float:
    """SIGKILL the target(s), start them again; returns the monotonic time of the kill."""
    killed_at = time.monotonic()
    if target in ("serve", "both"):
        running.serve.kill()
    if target in ("worker", "both"):
        running.worker.kill()
    if target in ("worker", "both"):
        running.worker.start()
    if target in ("serve", "both"):
        running.serve.start()
    return killed_at


def _first_post_after(slack: FakeSlack, moment: float) -> float | None:
    for call in slack.calls_to("chat.postMessage"):
        if call.monotonic > moment and call.ok:
            return call.monotonic
    return None


@pytest.mark.parametrize("kind", ["sqlite", "postgresql+redis"])
def test_random_kills_lose_and_double_nothing(
    kind: str, tmp_path: Path, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    rounds = scale(3, 50)
    print(f"crash test ({kind}): seed {SEED}, {rounds} rounds (RELIABILITY_SEED replays it)")
    rng = random.Random(SEED)
    ledger = Ledger()
    with stack(kind, tmp_path, fake_slack, fake_twilio, SMSBRIDGE_LEASE_SECONDS="3") as running:
        traffic = Traffic(url=lambda: running.url, slack=fake_slack, twilio=fake_twilio,
                          number=SUPPORT_NUMBER, channel=SUPPORT_CHANNEL, customers=6,
                          seed=SEED, ledger=ledger)
        traffic.start()
        recoveries: list[float] = []
        kills: dict[str, int] = {}
        try:
            for n in range(rounds):
                time.sleep(rng.uniform(0.3, 2.0))
                target = rng.choice(TARGETS)
                kills[target] = kills.get(target, 0) + 1
                killed_at = _kill_and_restart(running, target)
                recovered = fake_slack.wait_for(
                    lambda at=killed_at: _first_post_after(fake_slack, at), timeout=60,
                    interval=0.05, message=f"a delivery after kill {n + 1} ({target}, seed {SEED})",
                )
                recoveries.append(recovered - killed_at)
                assert not traffic.errors, traffic.errors
        finally:
            traffic.stop()
        database_url = running.settings["DATABASE_URL"]
        fake_slack.wait_for(lambda: outbox_settled(database_url), timeout=90, interval=0.25)
        time.sleep(1.5)  # a few sweeps later, still exactly once
    tally = ledger.tally(fake_slack, fake_twilio, [SUPPORT_CHANNEL])
    section = f"crash ({kind})"
    record(section, "kills (serve/worker/both)",
           "/".join(str(kills.get(t, 0)) for t in TARGETS), target=f"{rounds} rounds, seed {SEED}")
    record(section, "messages acknowledged", ledger.composition())
    record(section, "texts lost", tally.texts_lost + tally.sms_lost, target="0")
    record(section, "Slack posts doubled", tally.slack_doubled, target="0")
    record(section, "SMS sent twice", tally.sms_twice, target="0")
    record(section, "order violations", tally.order_violations, target="0")
    record(section, "longest recovery (kill → next delivery)", f"{max(recoveries):.1f} s")
    assert ledger.count > rounds, "too little traffic flowed to prove anything"
    assert tally.clean, f"seed {SEED}: {tally.problems[:20]}"
