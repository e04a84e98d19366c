"""`serve --no-worker` answers webhooks; a separate `smsbridge worker` delivers."""

from __future__ import annotations

from pathlib import Path

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, top_level
from tests.process import ServeProcess, WorkerProcess, cli


def test_a_separate_worker_process_delivers(
    env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    added = cli(settings, "numbers", "add", SUPPORT_NUMBER, "--channel", SUPPORT_CHANNEL)
    assert added.returncode == 0, added.stderr
    web = ServeProcess(settings, int(env["_PORT"]), tmp_path / "serve.log", "--no-worker")
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    web.start()
    try:
        response = fake_twilio.send_inbound(
            f"{web.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="queued for you"
        )
        assert response.status_code == 200
        assert top_level(fake_slack, SUPPORT_CHANNEL) == []  # no worker, nothing delivered
        worker.start()
        fake_slack.wait_for(lambda: top_level(fake_slack, SUPPORT_CHANNEL), timeout=30)
        root = top_level(fake_slack, SUPPORT_CHANNEL)[0]
        fake_slack.wait_for(lambda: fake_slack.thread(SUPPORT_CHANNEL, root["ts"]))
        assert fake_slack.thread(SUPPORT_CHANNEL, root["ts"])[0]["text"] == "queued for you"
    finally:
        worker.stop()
        web.stop()
