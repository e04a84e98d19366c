"""SIGKILL of `smsbridge serve` while it copies a customer's MMS into Slack, then restart:
every file ends up in the thread exactly once."""

from __future__ import annotations

import time

import pytest

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, top_level
from tests.media_samples import sample, thread_files
from tests.process import ServeProcess
from tests.test_crash_recovery import _outbox_settled, serve  # noqa: F401  (fixture)

IMAGES = [("image/jpeg", sample(i, size=20_000)) for i in range(3)]
EXPECTED = [(f"photo-{i + 1}.jpg", content) for i, (_, content) in enumerate(IMAGES)]


def _send(serve: ServeProcess, slack: FakeSlack, twilio: FakeTwilio) -> None:  # noqa: F811
    response = twilio.send_inbound(
        f"{serve.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="pics",
        media=IMAGES,
    )
    assert response.status_code == 200


def _restart_and_check(
    serve: ServeProcess, env: dict[str, str], slack: FakeSlack, release: object  # noqa: F811
) -> None:
    serve.kill()
    release.set()  # type: ignore[attr-defined]
    serve.start()
    slack.wait_for(lambda: _outbox_settled(env["DATABASE_URL"]), timeout=40)
    time.sleep(1.5)  # a few sweeps later, still exactly once
    roots = top_level(slack, SUPPORT_CHANNEL)
    assert len(roots) == 1
    assert thread_files(slack, SUPPORT_CHANNEL, roots[0]["ts"]) == EXPECTED
    texts = [m["text"] for m in slack.thread(SUPPORT_CHANNEL, roots[0]["ts"])]
    assert texts == ["pics"]


@pytest.mark.parametrize("slack_got_it", [False, True], ids=["share-lost", "answer-lost"])
def test_killed_while_sharing_the_files(
    serve: ServeProcess, env: dict[str, str], fake_slack: FakeSlack,  # noqa: F811
    fake_twilio: FakeTwilio, slack_got_it: bool,
) -> None:
    release = fake_slack.hang_next("files.completeUploadExternal", record=slack_got_it)
    _send(serve, fake_slack, fake_twilio)
    fake_slack.wait_for(fake_slack.hung.is_set, timeout=20)
    _restart_and_check(serve, env, fake_slack, release)
    completes = len(fake_slack.calls_to("files.completeUploadExternal"))
    assert completes == (1 if slack_got_it else 2)  # found by files.info, or shared again
    assert fake_slack.calls_to("files.info"), "the restart did not reconcile before sharing"


def test_killed_between_two_uploads(
    serve: ServeProcess, env: dict[str, str], fake_slack: FakeSlack,  # noqa: F811
    fake_twilio: FakeTwilio,
) -> None:
    first = fake_slack.hang_next("files.getUploadURLExternal", record=True)
    second = fake_slack.hang_next("files.getUploadURLExternal", record=True)
    _send(serve, fake_slack, fake_twilio)
    fake_slack.wait_for(fake_slack.hung.is_set, timeout=20)
    first.set()  # the first file's upload goes through …
    fake_slack.wait_for(
        lambda: len(fake_slack.calls_to("files.getUploadURLExternal")) == 2
        and fake_slack.hung.is_set(), timeout=10,
    )  # … and the process dies while the second one is in flight
    _restart_and_check(serve, env, fake_slack, second)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
