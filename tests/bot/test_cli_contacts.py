"""`smsbridge contacts import` and `members sync` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.app import open_database
from storage.models import Contact, Member
from tests.fakes import FakeSlack
from tests.harness import settings_from
from tests.process import cli


def _env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("_")}


def contacts_in(env: dict[str, str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    engine, session_factory = open_database(settings_from(_env(env)))
    with session_factory.begin() as session:
        rows = {c.e164: (c.name, c.company, c.notes) for c in session.scalars(select(Contact))}
    engine.dispose()
    return rows


def test_import_keeps_good_lines_reports_bad_ones_and_dedupes(
    env: dict[str, str], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = _env(env)
    first = tmp_path / "first.csv"
    first.write_text("phone,name,company,notes\n+14155552671,Dana Scully,FBI,\n",
                     encoding="utf-8")
    assert cli(settings, "contacts", "import", str(first)).returncode == 0
    csv_file = tmp_path / "contacts.csv"
    csv_file.write_text(
        "Phone,Name,Company,Notes\n"
        "(415) 555-2671,,,prefers texts\n"  # known number: updated, name kept
        "not a number,Bad Row,,\n"
        "+1 415 555 2672,\"Mulder, Fox\",FBI,\"line one\nline two\"\n"
        "\n"
        "12,Too Short,,\n"
        "+14155552672,Fox Mulder,,\n",  # the same number again: updated
        encoding="utf-8",
    )
    result = cli(settings, "contacts", "import", str(csv_file))
    assert result.returncode == 0, result.stderr
    assert "imported 3 contacts (1 new, 2 updated); 2 bad lines skipped" in result.stdout
    assert "line 3: “not a number” is not a phone number" in result.stderr
    assert "line 7: “12” is not a possible phone number" in result.stderr
    assert "importing contacts" in result.stderr  # the progress bar
    assert contacts_in(env) == {
        "+14155552671": ("Dana Scully", "FBI", "prefers texts"),
        "+14155552672": ("Fox Mulder", "FBI", "line one\nline two"),
    }


def test_an_unreadable_file_is_an_error(
    env: dict[str, str], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    settings = _env(env)
    missing = cli(settings, "contacts", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: can't read")
    no_header = tmp_path / "no_header.csv"
    no_header.write_text("+14155552671,Dana\n", encoding="utf-8")
    result = cli(settings, "contacts", "import", str(no_header))
    assert result.returncode == 1 and "no header with a phone column" in result.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    assert cli(settings, "contacts", "import", str(binary)).returncode == 1


def test_members_sync_reads_every_page(
    env: dict[str, str], fake_slack: FakeSlack
) -> None:
    for i in range(450):
        fake_slack.add_user(f"U1{i:05d}", f"person{i}")
    result = cli(_env(env), "members", "sync")
    assert result.returncode == 0, result.stderr
    assert "455 members read from Slack" in result.stdout  # 4 people + the bot + 450
    assert len(fake_slack.calls_to("users.list")) == 3  # 200 a page
    engine, session_factory = open_database(settings_from(_env(env)))
    with session_factory.begin() as session:
        bots = session.scalars(select(Member.slack_user_id).where(Member.is_bot)).all()
    engine.dispose()
    assert bots == ["UBOT"]
