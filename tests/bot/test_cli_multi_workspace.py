"""`smsbridge` in multi-workspace mode and Socket Mode, as an operator runs it (real
subprocesses, fake Slack and Twilio)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.fernet import Fernet

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, top_level
from tests.process import ServeProcess, cli
from tests.test_multi_workspace import B_CHANNEL, B_NUMBER, B_TOKEN, TEAM_B, install


def _multi(env: dict[str, str], slack: FakeSlack) -> dict[str, str]:
    values = {k: v for k, v in env.items() if not k.startswith("_") and k != "SLACK_BOT_TOKEN"}
    return {**values, "SLACK_CLIENT_ID": slack.client_id,
            "SLACK_CLIENT_SECRET": slack.client_secret,
            "SMSBRIDGE_TOKEN_KEY": Fernet.generate_key().decode()}


def test_serve_names_a_missing_or_unusable_token_key(
    env: dict[str, str], fake_slack: FakeSlack
) -> None:
    settings = _multi(env, fake_slack)
    missing = cli({**settings, "SMSBRIDGE_TOKEN_KEY": ""}, "serve", "--port", "0")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "error: SMSBRIDGE_TOKEN_KEY is not set"
    unusable = cli({**settings, "SMSBRIDGE_TOKEN_KEY": "not-a-key"}, "serve", "--port", "0")
    assert unusable.returncode == 2 and unusable.stderr.count("\n") == 1
    assert "SMSBRIDGE_TOKEN_KEY is not a Fernet key" in unusable.stderr


def test_served_install_then_cli_with_team_then_texts_reach_that_workspace(
    env: dict[str, str], fake_slack: FakeSlack, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    fake_slack.add_team(TEAM_B, "Globex", bot_token=B_TOKEN, bot_user_id="UBOTB")
    fake_slack.add_channel(B_CHANNEL, "sms-globex", members=["UBOTB"], team_id=TEAM_B)
    settings = _multi(env, fake_slack)
    serve = ServeProcess(settings, int(env["_PORT"]), tmp_path / "serve.log")
    serve.start()
    try:
        app: Any = SimpleNamespace(url=serve.url)
        assert install(app, fake_slack, TEAM_B).status_code == 200
        without_team = cli(settings, "numbers", "list")
        assert without_team.returncode != 0 and "--team" in without_team.stderr
        not_installed = cli(settings, "numbers", "add", "+14155550301", "--channel", B_CHANNEL,
                            "--team", "T0NOPE")
        assert not_installed.returncode != 0
        assert "T0NOPE has not installed the app" in not_installed.stderr
        added = cli(settings, "numbers", "add", B_NUMBER, "--channel", B_CHANNEL,
                    "--team", TEAM_B)
        assert added.returncode == 0, added.stderr
        info = [c for c in fake_slack.calls_to("conversations.info")
                if c.params.get("channel") == B_CHANNEL]
        assert info and {c.token for c in info} == {B_TOKEN}  # checked with B's own token
        listed = cli(settings, "numbers", "list", "--team", TEAM_B)
        assert listed.returncode == 0 and B_NUMBER in listed.stdout
        answer = fake_twilio.send_inbound(f"{serve.url}/twilio/messages", from_=CUSTOMER,
                                          to=B_NUMBER, body="hi Globex")
        assert answer.status_code == 200
        fake_slack.wait_for(lambda: top_level(fake_slack, B_CHANNEL), timeout=20)
        posts = fake_slack.calls_to("chat.postMessage")
        assert {c.token for c in posts} == {B_TOKEN}
    finally:
        serve.stop()


def test_serve_in_socket_mode_opens_the_websocket(
    env: dict[str, str], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    settings["SLACK_APP_TOKEN"] = fake_slack.app_token
    del settings["SLACK_SIGNING_SECRET"]
    serve = ServeProcess(settings, int(env["_PORT"]), tmp_path / "serve.log")
    serve.start()
    try:
        fake_slack.wait_for(lambda: fake_slack.socket_mode.open_connections() == 1, timeout=20)
    finally:
        serve.stop()
