"""`smsbridge doctor` through the real console script, against the fake Slack and Twilio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import open_database
from bot.manifest import bot_scopes
from bot.services.admin import AdminService
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    SALES_CHANNEL,
    SALES_NUMBER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    settings_from,
)
from tests.process import cli

PRIVATE_CHANNEL = "G0PRIVATE"
SERVICE_NUMBER = "+14155550123"


def settings_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("_")}


def add_numbers(env: dict[str, str], *mapped: tuple[str, str, str | None]) -> None:
    """Set numbers up as `smsbridge numbers add` would (schema migrated, workspace known)."""
    engine, session_factory = open_database(settings_from(settings_env(env)))
    admin = AdminService(session_factory=session_factory)
    admin.ensure_workspace(team_id=FakeSlack.team_id, name=FakeSlack.team_name)
    for number, channel, service in mapped:
        admin.add_number(
            team_id=FakeSlack.team_id, number=number, channel_id=channel, label=None,
            messaging_service_sid=service, actor="test",
        )
    engine.dispose()


@pytest.fixture
def healthy(
    env: dict[str, str], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> Iterator[dict[str, str]]:
    """Two numbers mapped to channels the app is in, both pointing at this app in Twilio,
    and a bot token with exactly the manifest's scopes."""
    add_numbers(env, (SUPPORT_NUMBER, SUPPORT_CHANNEL, None), (SALES_NUMBER, SALES_CHANNEL, None))
    messages_url = f"{env['PUBLIC_BASE_URL']}/twilio/messages"
    for number in (SUPPORT_NUMBER, SALES_NUMBER):
        fake_twilio.add_phone_number(number, sms_url=messages_url)
    fake_slack.granted_scopes = bot_scopes()
    yield settings_env(env)


def doctor(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    done = cli(env, "doctor", *args)
    assert done.stderr == "", done.stderr
    return done.returncode, done.stdout.splitlines()


def problems(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("✗")]


def test_healthy_setup_is_all_ok(healthy: dict[str, str], fake_twilio: FakeTwilio) -> None:
    code, lines = doctor(healthy)
    assert code == 0, lines
    assert all(line.startswith("✓") for line in lines), lines
    text = "\n".join(lines)
    assert "database " in text and "reachable and migrated" in text
    assert "workspace Acme (T0001)" in text
    assert f"all {len(bot_scopes())} scopes" in text
    assert "the app is in #sms-support (C0SUPPORT)" in text
    assert "the app is in #sms-sales (C0SALES)" in text
    assert f"account {fake_twilio.account_sid} “Acme Support” is active" in text
    messages_url = f"{healthy['PUBLIC_BASE_URL']}/twilio/messages"
    for number in (SUPPORT_NUMBER, SALES_NUMBER):
        assert f"{number} sends incoming texts to {messages_url}" in text
    assert fake_twilio.number_updates == []  # checking changes nothing


def test_missing_scopes_are_named_with_reinstall(
    healthy: dict[str, str], fake_slack: FakeSlack
) -> None:
    fake_slack.granted_scopes = [
        s for s in bot_scopes() if s not in ("reactions:write", "files:write")
    ]
    code, lines = doctor(healthy)
    assert code == 1
    [line] = problems(lines)
    assert line.startswith("✗ the bot token lacks scopes reactions:write, files:write — ")
    assert "reinstall the app" in line


def test_bot_missing_from_channels(
    healthy: dict[str, str], env: dict[str, str], fake_slack: FakeSlack
) -> None:
    fake_slack.channels[SALES_CHANNEL].members.discard(fake_slack.bot_user_id)
    fake_slack.add_channel(PRIVATE_CHANNEL, "vip", is_private=True, members=["U0AGENT"])
    add_numbers(env, (SERVICE_NUMBER, PRIVATE_CHANNEL, None))
    code, lines = doctor(healthy)
    assert code == 1
    found = problems(lines)
    assert any(
        line.startswith(f"✗ the app is not in channel #sms-sales ({SALES_CHANNEL}) "
                        f"(for {SALES_NUMBER}) — invite the app")
        for line in found
    ), found
    assert any(
        line.startswith(f"✗ channel {PRIVATE_CHANNEL} (for {SERVICE_NUMBER}) is not visible")
        and "invite the app" in line
        for line in found
    ), found


def test_wrong_sms_url_is_found_then_fixed(
    healthy: dict[str, str], fake_twilio: FakeTwilio
) -> None:
    sid = fake_twilio.phone_number(SALES_NUMBER)["sid"]
    fake_twilio.phone_numbers[sid]["sms_url"] = "https://demo.twilio.com/welcome/sms/reply"
    fake_twilio.phone_numbers[sid]["sms_method"] = "GET"
    messages_url = f"{healthy['PUBLIC_BASE_URL']}/twilio/messages"

    code, lines = doctor(healthy)
    assert code == 1
    assert problems(lines) == [
        f"✗ {SALES_NUMBER} sends incoming texts to https://demo.twilio.com/welcome/sms/reply "
        f"(GET), not {messages_url} (POST) — run `smsbridge doctor --fix`, or set the "
        "number's “A message comes in” webhook in the Twilio console"
    ]
    assert fake_twilio.number_updates == []

    code, lines = doctor(healthy, "--fix")
    assert code == 0, lines
    assert f"✓ fixed: {SALES_NUMBER} now sends incoming texts to {messages_url} (POST; was " \
        "https://demo.twilio.com/welcome/sms/reply (GET))" in lines
    assert [u["params"] for u in fake_twilio.number_updates] == [
        {"SmsUrl": messages_url, "SmsMethod": "POST"}
    ]
    record = fake_twilio.phone_number(SALES_NUMBER)
    assert (record["sms_url"], record["sms_method"]) == (messages_url, "POST")

    code, lines = doctor(healthy, "--fix")
    assert code == 0 and problems(lines) == []
    assert not any("fixed" in line for line in lines)
    assert len(fake_twilio.number_updates) == 1  # nothing left to repair


def test_number_missing_from_twilio_account(
    healthy: dict[str, str], fake_twilio: FakeTwilio
) -> None:
    del fake_twilio.phone_numbers[fake_twilio.phone_number(SALES_NUMBER)["sid"]]
    code, lines = doctor(healthy, "--fix")
    assert code == 1
    assert problems(lines) == [
        f"✗ {SALES_NUMBER} is not a phone number of this Twilio account — buy or port it into "
        "this account, or check TWILIO_ACCOUNT_SID"
    ]


def test_messaging_service_number_is_a_note(
    healthy: dict[str, str], env: dict[str, str], fake_twilio: FakeTwilio
) -> None:
    fake_twilio.add_phone_number(SERVICE_NUMBER, status_callback="https://elsewhere.example/cb")
    add_numbers(env, (SERVICE_NUMBER, SUPPORT_CHANNEL, "MG" + "0" * 32))
    code, lines = doctor(healthy)
    assert code == 0, lines
    messages_url = f"{healthy['PUBLIC_BASE_URL']}/twilio/messages"
    assert (
        f"! {SERVICE_NUMBER} answers through Messaging Service MG{'0' * 32} — make sure that "
        f"service's incoming-message request URL is {messages_url} (POST), in the Twilio console"
    ) in lines
    assert any(
        line.startswith(f"! {SERVICE_NUMBER} has its own StatusCallback "
                        "https://elsewhere.example/cb")
        for line in lines
    ), lines


def test_bad_twilio_credentials(healthy: dict[str, str]) -> None:
    code, lines = doctor({**healthy, "TWILIO_AUTH_TOKEN": "0" * 32})
    assert code == 1
    assert problems(lines) == [
        "✗ Twilio refused TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN (HTTP 401, error 20003: Unable "
        "to fetch record: Authenticate) — copy the Account SID and Auth Token from the Twilio "
        "console"
    ]
    assert not any(SUPPORT_NUMBER in line and "Twilio" in line for line in lines)


def test_bad_slack_token(healthy: dict[str, str]) -> None:
    code, lines = doctor({**healthy, "SLACK_BOT_TOKEN": "xoxb-revoked"})
    assert code == 1
    assert problems(lines) == [
        "✗ Slack refused SLACK_BOT_TOKEN (invalid_auth) — copy the Bot User OAuth Token "
        "(xoxb-…) from your Slack app's OAuth & Permissions page"
    ]


def test_missing_settings_are_each_named(healthy: dict[str, str]) -> None:
    code, lines = doctor({**healthy, "TWILIO_AUTH_TOKEN": "", "SLACK_SIGNING_SECRET": ""})
    assert code == 2
    assert problems(lines) == [
        "✗ SLACK_SIGNING_SECRET is not set — set SLACK_SIGNING_SECRET in the environment or .env",
        "✗ TWILIO_AUTH_TOKEN is not set — set TWILIO_AUTH_TOKEN in the environment or .env",
    ]
    assert any("the app is in #sms-support" in line for line in lines)  # the rest still ran


def test_unusable_public_base_url(healthy: dict[str, str]) -> None:
    code, lines = doctor({**healthy, "PUBLIC_BASE_URL": "sms.example.com"})
    assert code == 2
    [line] = problems(lines)
    assert line.startswith("✗ PUBLIC_BASE_URL must be an absolute http(s) URL")


def test_unmigrated_database(env: dict[str, str], fake_slack: FakeSlack) -> None:
    """doctor diagnoses, it does not migrate: a fresh database is reported."""
    fake_slack.granted_scopes = bot_scopes()
    code, lines = doctor(settings_env(env))
    assert code == 1
    assert any(
        line.startswith("✗ database ") and "is not migrated (at none, latest " in line
        and line.endswith("— run `smsbridge db upgrade`")
        for line in lines
    ), lines


def test_unreachable_database(healthy: dict[str, str]) -> None:
    code, lines = doctor({**healthy, "DATABASE_URL": "postgresql://smsbridge:s3cret@127.0.0.1:9/x"})
    assert code == 1
    [line] = [line for line in lines if line.startswith("✗ database")]
    assert "postgresql+psycopg://smsbridge:***@127.0.0.1:9/x is unreachable (" in line
    assert line.endswith("— check DATABASE_URL and that the database server is running")
    assert "s3cret" not in "\n".join(lines)
    assert any("Twilio: account" in line for line in lines)  # the other checks still ran


def test_multi_workspace_mode_needs_the_token_key_not_a_bot_token(
    healthy: dict[str, str], fake_slack: FakeSlack
) -> None:
    multi = {**healthy, "SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": fake_slack.client_id,
             "SLACK_CLIENT_SECRET": fake_slack.client_secret}
    code, lines = doctor(multi)
    assert code == 2
    assert problems(lines) == [
        "✗ SMSBRIDGE_TOKEN_KEY is not set — set SMSBRIDGE_TOKEN_KEY in the environment or .env",
    ]
    assert any(line.startswith("! multi-workspace OAuth mode") for line in lines)
