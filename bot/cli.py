"""The `smsbridge` command (DESIGN §4). Bad input: one clear line, non-zero exit."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bot import logs
from bot.config import Settings
from bot.errors import ConfigError, SmsBridgeError
from bot.services.admin import AdminService

F = TypeVar("F", bound=Callable[..., Any])


def _fail_cleanly(func: F) -> F:
    """Turn our errors into `error: <sentence>` and exit status 1 (2 for configuration)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except SmsBridgeError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@contextmanager
def _admin(team: str | None) -> Iterator[tuple[AdminService, str, Settings]]:
    """The admin service and the workspace the command acts on (DESIGN §4 "Workspace")."""
    from bot.app import open_database, single_workspace_slack

    settings = Settings()
    engine, session_factory = open_database(settings)
    admin = AdminService(session_factory=session_factory)
    try:
        if settings.multi_workspace:
            if not team:
                raise ConfigError("multi-workspace mode: pass --team TEAM_ID", variable="--team")
            yield admin, team, settings
        else:
            team_id, name, _ = single_workspace_slack(settings).team()
            if team and team != team_id:
                raise ConfigError(f"SLACK_BOT_TOKEN belongs to {team_id}, not {team}")
            admin.ensure_workspace(team_id=team_id, name=name)
            yield admin, team_id, settings
    finally:
        engine.dispose()


team_option = click.option("--team", help="Slack team ID (multi-workspace mode).")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """smsbridge: your company's SMS numbers as Slack channels."""
    logs.configure(verbose=verbose)


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=3000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Serve HTTP only; run `smsbridge worker` apart.")
@_fail_cleanly
def serve(host: str, port: int, no_worker: bool) -> None:
    """Migrate the database if needed, serve HTTP and run the embedded worker."""
    from bot.server import run_server

    logging.getLogger().setLevel(logging.INFO)
    run_server(Settings(), host=host, port=port, with_worker=not no_worker)


@main.command()
@_fail_cleanly
def worker() -> None:
    """Run a worker alone (scale-out: QUEUE_URL=redis://…)."""
    from bot.server import run_worker

    logging.getLogger().setLevel(logging.INFO)
    run_worker(Settings())


@main.group()
def db() -> None:
    """Database operations."""


@db.command()
@_fail_cleanly
def upgrade() -> None:
    """Apply pending migrations."""
    from bot.app import open_database

    engine, _ = open_database(Settings())
    engine.dispose()
    click.echo("database is up to date")


@main.group()
def numbers() -> None:
    """SMS numbers: add, assign, list."""


@numbers.command("add")
@click.argument("number")
@click.option("--channel", required=True, help="Slack channel ID the number's texts land in.")
@click.option("--label", default=None, help="A name people see, like 'Support'.")
@click.option("--messaging-service", default=None, help="Twilio Messaging Service SID (MG…).")
@team_option
@_fail_cleanly
def numbers_add(
    number: str, channel: str, label: str | None, messaging_service: str | None, team: str | None
) -> None:
    """Set up an SMS number mapped to a channel."""
    from bot.app import workspace_slack

    with _admin(team) as (admin, team_id, settings):
        slack = workspace_slack(settings, team_id)
        added = admin.add_number(
            team_id=team_id, number=number, channel_id=channel, label=label,
            messaging_service_sid=messaging_service, actor=_actor(), slack=slack,
        )
    for warning in added.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"added {added.e164} → {channel}")


@numbers.command("assign")
@click.argument("number")
@click.argument("user_id")
@click.option("--default", "make_default", is_flag=True, help="Make it the member's default.")
@team_option
@_fail_cleanly
def numbers_assign(number: str, user_id: str, make_default: bool, team: str | None) -> None:
    """Let a member send from a number."""
    with _admin(team) as (admin, team_id, _):
        admin.assign(
            team_id=team_id, number=number, user_id=user_id, default=make_default,
            actor=_actor(),
        )
    click.echo(f"assigned {number} to {user_id}" + (" (default)" if make_default else ""))


@numbers.command("list")
@team_option
@_fail_cleanly
def numbers_list(team: str | None) -> None:
    """Numbers, channels, assignees."""
    with _admin(team) as (admin, team_id, _):
        views = admin.list_numbers(team_id=team_id)
    if not views:
        click.echo("no SMS numbers yet: add one with `smsbridge numbers add`")
    for view in views:
        people = ", ".join(u + (" (default)" if d else "") for u, d in view.assignees) or "nobody"
        label = f" “{view.label}”" if view.label else ""
        service = f" via {view.messaging_service_sid}" if view.messaging_service_sid else ""
        click.echo(f"{view.e164}{label} → {view.channel_id}{service}; assigned: {people}")


@main.group()
def roles() -> None:
    """Member roles."""


@roles.command("grant")
@click.argument("user_id")
@click.argument("role", type=click.Choice(["admin", "manager"]))
@team_option
@_fail_cleanly
def roles_grant(user_id: str, role: str, team: str | None) -> None:
    """Grant a member the admin or manager role."""
    with _admin(team) as (admin, team_id, _):
        granted = admin.grant_role(team_id=team_id, user_id=user_id, role=role, actor=_actor())
    click.echo(f"{user_id} is {role}" + ("" if granted else " (already)"))


@main.group()
def escalations() -> None:
    """Where escalations go besides managers' DMs."""


@escalations.command("channel")
@click.argument("channel_id")
@team_option
@_fail_cleanly
def escalations_channel(channel_id: str, team: str | None) -> None:
    """Set the escalations channel (the app joins it when public)."""
    from bot.app import workspace_slack
    from bot.services.escalation_settings import EscalationSettingsService

    with _admin(team) as (admin, team_id, settings):
        slack = workspace_slack(settings, team_id)
        EscalationSettingsService(session_factory=admin.session_factory).set_channel(
            team_id=team_id, channel_id=channel_id, actor=_actor(), slack=slack
        )
    click.echo(f"escalations go to {channel_id}")


@main.command()
@click.option("--port", default=3030, show_default=True, type=int, help="Port of the page.")
@click.option("--host", default="127.0.0.1", show_default=True)
@_fail_cleanly
def sandbox(port: int, host: str) -> None:
    """Try smsbridge with no Slack or Twilio account: the real app against local
    emulators, with a web page showing a customer's phone and Slack side by side. Each run
    starts fresh (the emulators keep their Slack and Twilio in memory)."""
    from bot.sandbox.runtime import run_sandbox

    run_sandbox(port=port, host=host, echo=click.echo)


@main.command("manifest")
@_fail_cleanly
def manifest_print() -> None:
    """Print manifest.yml with PUBLIC_BASE_URL in every request URL, for Slack's
    "Create app from manifest"."""
    from bot.manifest import render_manifest

    click.echo(render_manifest(Settings().public_base_url), nl=False)


@main.command()
@click.option("--fix", is_flag=True, help="Point each number's incoming-message URL here.")
@_fail_cleanly
def doctor(fix: bool) -> None:
    """Check settings, database, Slack and Twilio: one line per finding, with what to do."""
    from bot.app import build_doctor
    from bot.services.doctor import Level

    checkup = build_doctor(Settings())
    try:
        report = checkup.run(fix=fix)
    finally:
        checkup.inputs.engine.dispose()
    marks = {Level.OK: "✓", Level.PROBLEM: "✗", Level.NOTE: "!"}
    for finding in report.findings:
        advice = f" — {finding.fix}" if finding.fix else ""
        click.echo(f"{marks[finding.level]} {finding.text}{advice}")
    sys.exit(report.exit_code)


@main.command("audit")
@click.option("--number", default=None, help="Only entries about this SMS number (E.164).")
@click.option("--contact", default=None, help="Only entries about this contact (E.164).")
@click.option("--member", default=None, help="Only entries by or about this Slack user ID.")
@click.option("--since", default=None, help="From this UTC day on (YYYY-MM-DD).")
@click.option("--until", default=None, help="Up to this UTC day, included (YYYY-MM-DD).")
@team_option
@_fail_cleanly
def audit_list(
    number: str | None, contact: str | None, member: str | None, since: str | None,
    until: str | None, team: str | None,
) -> None:
    """Who did what, when: one line per entry (time, actor, action, subject, detail)."""
    import json

    from bot.services.audit_log import AuditLogService

    with _admin(team) as (admin, team_id, _):
        lines = AuditLogService(session_factory=admin.session_factory).entries(
            team_id=team_id, number=number, contact=contact, member=member, since=since,
            until=until,
        )
    if not lines:
        click.echo("no audit entries match")
    for line in lines:
        detail = json.dumps(line.detail, ensure_ascii=False, sort_keys=True) if line.detail else ""
        click.echo(
            f"{line.at:%Y-%m-%d %H:%M:%S}Z  {line.actor}  {line.action}  "
            f"{line.subject or '-'}  {detail}".rstrip()
        )


# --- issue 4: contacts and the member directory ---


@main.group()
def contacts() -> None:
    """External contacts."""


@contacts.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@team_option
@_fail_cleanly
def contacts_import(file: Path, team: str | None) -> None:
    """Import contacts from a CSV (phone,name,company,notes with a header). A number
    already known is updated; bad lines are reported and the good ones kept."""
    from bot.contacts_csv import read_rows
    from bot.services.contacts import ContactService

    rows = read_rows(file)
    with _admin(team) as (admin, team_id, _):
        service = ContactService(session_factory=admin.session_factory)
        with click.progressbar(rows, label="importing contacts", file=sys.stderr) as bar:
            summary = service.import_rows(team_id=team_id, rows=bar)
    for line, reason in summary.bad_lines:
        click.echo(f"line {line}: {reason}", err=True)
    click.echo(
        f"imported {summary.created + summary.updated} contacts ({summary.created} new, "
        f"{summary.updated} updated); {len(summary.bad_lines)} bad lines skipped"
    )


@main.group()
def members() -> None:
    """The member directory (internal contacts)."""


@members.command("sync")
@team_option
@_fail_cleanly
def members_sync(team: str | None) -> None:
    """Read the workspace's members from Slack (users.list) into the directory."""
    from bot.app import workspace_slack
    from bot.services.directory import DirectoryService

    with _admin(team) as (admin, team_id, settings):
        slack = workspace_slack(settings, team_id)
        directory = DirectoryService(
            session_factory=admin.session_factory, slack_for=lambda _: slack
        )
        count = directory.sync(team_id=team_id)
    click.echo(f"{count} members read from Slack")
