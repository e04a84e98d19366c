"""Logs carry no full phone numbers, no message bodies, no tokens (DESIGN §5): checked on
everything logged in-process at DEBUG by the app's loggers (third-party loggers at the level
the CLI sets), and on the real `smsbridge serve` output."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.logs import quiet_third_party
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import AGENT, SUPPORT_CHANNEL, SUPPORT_NUMBER, AppUnderTest
from tests.process import ServeProcess, cli
from tests.security.logflows import leaks, run_flows, secrets_of
from tests.security.props import record


def _format(record_: logging.LogRecord) -> str:
    text = record_.getMessage()
    if record_.exc_info:
        text += "\n" + logging.Formatter().formatException(record_.exc_info)
    return f"{record_.name}: {text}"


def test_in_process_logs_carry_no_numbers_bodies_or_secrets(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_third_party()
    markers = run_flows(app.url, fake_slack, fake_twilio, app.team_id)
    lines = [_format(r) for r in caplog.records if not r.name.startswith("tests.")]
    found = [f"{line[:60]}…: {what}" for line in lines
             for what in leaks(line, markers=markers, secrets=secrets_of(fake_slack, fake_twilio))]
    record("logs", "in-process log lines checked (DEBUG)", len(lines))
    record("logs", "in-process leaks (numbers, bodies, secrets)", len(found), target="0")
    assert lines, "the flows logged nothing: the capture is broken"
    assert found == []


def test_serve_process_output_carries_no_numbers_bodies_or_secrets(
    env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    for args in (
        ("numbers", "add", SUPPORT_NUMBER, "--channel", SUPPORT_CHANNEL, "--label", "Support"),
        ("numbers", "assign", SUPPORT_NUMBER, AGENT, "--default"),
    ):
        result = cli(settings, *args)
        assert result.returncode == 0, result.stderr
    log_path = tmp_path / "serve.log"
    serve = ServeProcess(settings, int(env["_PORT"]), log_path)
    serve.start()
    try:
        markers = run_flows(serve.url, fake_slack, fake_twilio, fake_slack.team_id)
    finally:
        serve.stop()
    output = log_path.read_text(errors="replace")
    found = leaks(output, markers=markers, secrets=secrets_of(fake_slack, fake_twilio))
    record("logs", "serve process log lines checked", len(output.splitlines()))
    record("logs", "serve process leaks (numbers, bodies, secrets)", len(found), target="0")
    assert output.strip(), "serve logged nothing: the capture is broken"
    assert found == [], output[-3000:]
