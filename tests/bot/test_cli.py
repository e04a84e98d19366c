"""The `smsbridge` command as an operator runs it (real subprocesses, fake Slack)."""

from __future__ import annotations

from pathlib import Path

from tests.fakes import FakeSlack
from tests.harness import AGENT, SUPPORT_CHANNEL
from tests.process import cli


def _env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("_")}


def test_numbers_add_assign_list_and_roles(env: dict[str, str], fake_slack: FakeSlack) -> None:
    settings = _env(env)
    added = cli(settings, "numbers", "add", "(415) 555-0100", "--channel", SUPPORT_CHANNEL,
                "--label", "Support")
    assert added.returncode == 0, added.stderr
    assert "added +14155550100" in added.stdout
    assigned = cli(settings, "numbers", "assign", "+14155550100", AGENT, "--default")
    assert assigned.returncode == 0, assigned.stderr
    granted = cli(settings, "roles", "grant", AGENT, "manager")
    assert granted.returncode == 0 and "manager" in granted.stdout
    listed = cli(settings, "numbers", "list")
    assert listed.returncode == 0
    assert listed.stdout.strip() == (
        "+14155550100 “Support” → C0SUPPORT; assigned: U0AGENT (default)"
    )
    assert fake_slack.calls_to("auth.test"), "the workspace came from auth.test"


def test_bad_input_is_one_clear_line_and_a_non_zero_exit(
    env: dict[str, str], fake_slack: FakeSlack
) -> None:
    settings = _env(env)
    cases = [
        (("numbers", "add", "hello", "--channel", SUPPORT_CHANNEL), "not a phone number"),
        (("numbers", "add", "+14155550100", "--channel", "general"), "not a Slack channel ID"),
        (("numbers", "add", "+14155550100", "--channel", "C0NOPE"), "no channel C0NOPE"),
        (("numbers", "assign", "+14155550177", AGENT), "not an SMS number of this workspace"),
        (("numbers", "assign", "+14155550100", "ann"), "not a Slack user ID"),
        (("numbers", "add", "+14155550100", "--channel", SUPPORT_CHANNEL,
          "--messaging-service", "MGxyz"), "not a Messaging Service SID"),
    ]
    for args, expected in cases:
        result = cli(settings, *args)
        assert result.returncode != 0, args
        assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
        assert result.stderr.startswith("error: ") and expected in result.stderr, result.stderr
    duplicate = [cli(settings, "numbers", "add", "+14155550100", "--channel", SUPPORT_CHANNEL)
                 for _ in range(2)][-1]
    assert duplicate.returncode == 1 and "already set up" in duplicate.stderr


def test_possible_but_unassigned_ranges_are_added_with_a_warning(
    env: dict[str, str], fake_slack: FakeSlack
) -> None:
    result = cli(_env(env), "numbers", "add", "+15550100000", "--channel", SUPPORT_CHANNEL)
    assert result.returncode == 0
    assert "warning:" in result.stderr and "possible" in result.stderr


def test_numbers_add_joins_public_channels_and_asks_for_private_ones(
    env: dict[str, str], fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C0PUBLIC", "sms-public")
    fake_slack.add_channel("G0PRIVATE", "sms-private", is_private=True)
    settings = _env(env)
    public = cli(settings, "numbers", "add", "+14155550111", "--channel", "C0PUBLIC")
    assert public.returncode == 0, public.stderr
    assert fake_slack.bot_user_id in fake_slack.channels["C0PUBLIC"].members
    private = cli(settings, "numbers", "add", "+14155550112", "--channel", "G0PRIVATE")
    assert private.returncode == 1 and "/invite @smsbridge" in private.stderr
    fake_slack.channels["G0PRIVATE"].members.add(fake_slack.bot_user_id)  # invited
    private = cli(settings, "numbers", "add", "+14155550112", "--channel", "G0PRIVATE")
    assert private.returncode == 0, private.stderr


def test_serve_names_the_missing_credential(env: dict[str, str], tmp_path: Path) -> None:
    settings = _env(env)
    for variable in ("SLACK_SIGNING_SECRET", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        result = cli({**settings, variable: ""}, "serve", "--port", "0")
        assert result.returncode == 2
        assert result.stderr.strip() == f"error: {variable} is not set"


def test_db_upgrade_is_explicit_and_repeatable(env: dict[str, str]) -> None:
    settings = _env(env)
    for _ in range(2):
        result = cli(settings, "db", "upgrade")
        assert result.returncode == 0 and "up to date" in result.stdout
