"""`smsbridge doctor`: check the configuration and the live services an install depends on,
one finding per fact, each problem with what to do about it (and `--fix` for the numbers'
incoming-message URLs, which the app can set itself through the Twilio API)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.errors import ConfigError, GatewayError, NotFound, SlackError, TwilioRejected
from bot.gateways.slack import SlackGateway
from bot.gateways.twilio import NumberConfig, TwilioGateway
from bot.manifest import checked_base_url
from bot.services.admin import AdminService, NumberView
from storage import migrate

REQUIRED_SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "PUBLIC_BASE_URL",
)
SMS_METHOD = "POST"


class Level(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    NOTE = "note"  # worth knowing, nothing wrong that the app can see


@dataclass(frozen=True)
class Finding:
    """One checked fact: `text` says what was found, `fix` what to do when it is a problem."""

    level: Level
    text: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        return self.level is not Level.PROBLEM


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)
    missing_settings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all well, 2 configuration missing, 1 anything else wrong."""
        if self.missing_settings:
            return 2
        return 0 if all(f.ok for f in self.findings) else 1


@dataclass(frozen=True)
class DoctorInputs:
    """What the wiring could build: None where a setting it needs is missing."""

    settings: Settings
    required_scopes: list[str]
    engine: Engine
    admin: AdminService
    slack: SlackGateway | None
    twilio: TwilioGateway | None


def ok(text: str) -> Finding:
    return Finding(Level.OK, text)


def problem(text: str, fix: str) -> Finding:
    return Finding(Level.PROBLEM, text, fix)


def note(text: str, fix: str | None = None) -> Finding:
    return Finding(Level.NOTE, text, fix)


def required_settings(settings: Settings) -> tuple[str, ...]:
    """What `serve` needs in this mode: multi-workspace mode has no SLACK_BOT_TOKEN but a
    key for the installations' tokens; Socket Mode requests carry no signature."""
    if settings.multi_workspace:
        slack: tuple[str, ...] = ("SLACK_SIGNING_SECRET", "SMSBRIDGE_TOKEN_KEY")
    elif settings.socket_mode:
        slack = ("SLACK_BOT_TOKEN",)
    else:
        slack = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    return (*slack, *(n for n in REQUIRED_SETTINGS if not n.startswith("SLACK_")))


def missing_settings(settings: Settings) -> list[str]:
    """The operator variables `serve` needs that are unset."""
    missing = []
    for name in required_settings(settings):
        attribute = next(
            key for key, info in Settings.model_fields.items() if info.validation_alias == name
        )
        if not getattr(settings, attribute):
            missing.append(name)
    return missing


class Doctor:
    def __init__(self, inputs: DoctorInputs) -> None:
        self.inputs = inputs
        self.settings = inputs.settings

    @property
    def messages_url(self) -> str:
        return f"{(self.settings.public_base_url or '').rstrip('/')}/twilio/messages"

    def run(self, *, fix: bool = False) -> DoctorReport:
        report = DoctorReport(missing_settings=missing_settings(self.settings))
        report.findings.extend(self._settings_findings(report.missing_settings))
        database_ready = self._append(report, self._database())
        team_id = None
        if self.inputs.slack is not None:
            team_id = self._append_team(report, self.inputs.slack)
        mapped: list[NumberView] = []
        if database_ready and team_id is not None:
            mapped = self._append_numbers(report, team_id)
        if self.inputs.slack is not None and mapped:
            report.findings.extend(self._channels(self.inputs.slack, mapped))
        if self.inputs.twilio is not None and self._append(report, self._account()):
            # the numbers' URLs are checked against PUBLIC_BASE_URL: only when it is valid
            checkable = [] if "PUBLIC_BASE_URL" in report.missing_settings else mapped
            report.findings.extend(self._twilio_numbers(self.inputs.twilio, checkable, fix=fix))
        return report

    @staticmethod
    def _append(report: DoctorReport, findings: list[Finding]) -> bool:
        """Add `findings`; True when none is a problem (the checks that build on them run)."""
        report.findings.extend(findings)
        return all(f.ok for f in findings)

    # -- configuration -----------------------------------------------------------------

    def _settings_findings(self, missing: list[str]) -> list[Finding]:
        findings = [
            problem(f"{name} is not set", f"set {name} in the environment or .env")
            for name in missing
        ]
        if self.settings.public_base_url:
            try:
                checked_base_url(self.settings.public_base_url)
            except ConfigError as exc:
                missing.append("PUBLIC_BASE_URL")  # unusable counts as missing: exit 2
                findings.append(problem(str(exc), "set it to the https:// address Slack and "
                                        "Twilio reach this app at (a path prefix is fine)"))
        if not findings:
            findings.append(ok("settings: every required variable is set"))
        if self.settings.multi_workspace:
            findings.append(Finding(
                Level.NOTE, "multi-workspace OAuth mode: Slack is checked per workspace by "
                "the app itself; workspaces install through /slack/install", None,
            ))
        return findings

    # -- database ----------------------------------------------------------------------

    def _database(self) -> list[Finding]:
        engine = self.inputs.engine
        where = engine.url.render_as_string(hide_password=True)
        try:
            if not migrate.is_up_to_date(engine):
                current = migrate.current_revision(engine) or "none"
                return [problem(
                    f"database {where} is not migrated (at {current}, "
                    f"latest {migrate.head_revision()})",
                    "run `smsbridge db upgrade`",
                )]
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            return [problem(
                f"database {where} is unreachable ({reason})",
                "check DATABASE_URL and that the database server is running",
            )]
        return [ok(f"database {where} is reachable and migrated")]

    # -- Slack -------------------------------------------------------------------------

    def _append_team(self, report: DoctorReport, slack: SlackGateway) -> str | None:
        try:
            team_id, team_name, granted = slack.granted_scopes()
        except SlackError as exc:
            report.findings.append(problem(
                f"Slack refused SLACK_BOT_TOKEN ({exc.code})",
                "copy the Bot User OAuth Token (xoxb-…) from your Slack app's "
                "OAuth & Permissions page",
            ))
            return None
        except GatewayError as exc:
            report.findings.append(problem(
                f"Slack did not answer auth.test at {self.settings.slack_api_url} ({exc})",
                "check the network (and SLACK_API_URL, if set)",
            ))
            return None
        report.findings.append(
            ok(f"Slack: the bot token works in workspace {team_name} ({team_id})")
        )
        report.findings.append(self._scopes(granted))
        return team_id

    def _scopes(self, granted: frozenset[str] | None) -> Finding:
        if granted is None:
            return note("Slack did not report the bot token's scopes; they were not checked")
        missing = [scope for scope in self.inputs.required_scopes if scope not in granted]
        if missing:
            return problem(
                f"the bot token lacks scopes {', '.join(missing)}",
                "add them to the app (paste `smsbridge manifest` into its manifest), then "
                "reinstall the app to the workspace",
            )
        return ok(f"Slack: the bot token has all {len(self.inputs.required_scopes)} scopes")

    def _channels(self, slack: SlackGateway, mapped: list[NumberView]) -> Iterator[Finding]:
        by_channel: dict[str, list[str]] = {}
        for number in mapped:
            by_channel.setdefault(number.channel_id, []).append(number.e164)
        for channel, e164s in by_channel.items():
            owners = ", ".join(e164s)
            try:
                info = slack.channel_info(channel)
            except SlackError as exc:
                if exc.code != "channel_not_found":
                    yield problem(
                        f"channel {channel} (for {owners}) could not be checked ({exc.code})",
                        "check the bot token's scopes and reinstall the app",
                    )
                    continue
                yield problem(
                    f"channel {channel} (for {owners}) is not visible to the app: it is "
                    "private without the app in it, or does not exist",
                    "invite the app into the channel (/invite @smsbridge), or map the "
                    "number to another channel",
                )
                continue
            except GatewayError as exc:
                yield problem(f"channel {channel} could not be checked ({exc})", "try again")
                continue
            name = f"#{info.get('name')} ({channel})" if info.get("name") else channel
            if info.get("is_archived"):
                yield problem(
                    f"channel {name} (for {owners}) is archived",
                    "unarchive it, or map the number to another channel",
                )
            elif not info.get("is_member"):
                yield problem(
                    f"the app is not in channel {name} (for {owners})",
                    "invite the app: type /invite @smsbridge in the channel",
                )
            else:
                yield ok(f"Slack: the app is in {name} (for {owners})")

    # -- numbers -----------------------------------------------------------------------

    def _append_numbers(self, report: DoctorReport, team_id: str) -> list[NumberView]:
        try:
            mapped = self.inputs.admin.list_numbers(team_id=team_id)
        except NotFound:
            mapped = []
        if not mapped:
            report.findings.append(problem(
                f"no SMS numbers are set up for workspace {team_id}",
                "add one: `smsbridge numbers add +1… --channel C…`",
            ))
        return mapped

    # -- Twilio ------------------------------------------------------------------------

    def _account(self) -> list[Finding]:
        assert self.inputs.twilio is not None
        try:
            account = self.inputs.twilio.account()
        except TwilioRejected as exc:
            return [problem(
                f"Twilio refused TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN (HTTP {exc.status}, "
                f"error {exc.code}: {exc})",
                "copy the Account SID and Auth Token from the Twilio console",
            )]
        except GatewayError as exc:
            return [problem(
                f"Twilio did not answer at {self.settings.twilio_api_url} ({exc})",
                "check the network (and TWILIO_API_URL, if set)",
            )]
        name = f" “{account.friendly_name}”" if account.friendly_name else ""
        if account.status not in (None, "active"):
            return [problem(
                f"Twilio account {account.sid}{name} is {account.status}",
                "reactivate it in the Twilio console",
            )]
        return [ok(f"Twilio: account {account.sid}{name} is active")]

    def _twilio_numbers(
        self, twilio: TwilioGateway, mapped: list[NumberView], *, fix: bool
    ) -> Iterator[Finding]:
        if mapped:
            yield ok(
                "Twilio: delivery statuses need no number setting: each reply names its "
                "own StatusCallback under PUBLIC_BASE_URL"
            )
        for number in mapped:
            try:
                found = twilio.phone_number(number.e164)
            except GatewayError as exc:
                yield problem(f"{number.e164} could not be checked in Twilio ({exc})", "try again")
                continue
            if found is None:
                yield problem(
                    f"{number.e164} is not a phone number of this Twilio account",
                    "buy or port it into this account, or check TWILIO_ACCOUNT_SID",
                )
                continue
            yield from self._number(twilio, number, found, fix=fix)

    def _number(
        self, twilio: TwilioGateway, number: NumberView, found: NumberConfig, *, fix: bool
    ) -> Iterator[Finding]:
        if found.status_callback:
            yield note(
                f"{number.e164} has its own StatusCallback {found.status_callback} "
                "(Twilio uses it for calls; smsbridge sets one on each message)"
            )
        if number.messaging_service_sid:
            yield note(
                f"{number.e164} answers through Messaging Service {number.messaging_service_sid}",
                f"make sure that service's incoming-message request URL is "
                f"{self.messages_url} (POST), in the Twilio console",
            )
            return
        if found.sms_application_sid:
            yield problem(
                f"{number.e164} hands its texts to TwiML App {found.sms_application_sid}, "
                "which overrides its own SMS URL",
                "remove the TwiML App from the number's messaging settings in the Twilio console",
            )
            return
        method = (found.sms_method or SMS_METHOD).upper()
        if found.sms_url == self.messages_url and method == SMS_METHOD:
            yield ok(f"Twilio: {number.e164} sends incoming texts to {self.messages_url}")
            return
        was = f"{found.sms_url or 'nowhere'} ({method})"
        if not fix:
            yield problem(
                f"{number.e164} sends incoming texts to {was}, not {self.messages_url} (POST)",
                "run `smsbridge doctor --fix`, or set the number's “A message comes in” "
                "webhook in the Twilio console",
            )
            return
        try:
            twilio.set_sms_url(found.sid, url=self.messages_url, method=SMS_METHOD)
        except GatewayError as exc:
            yield problem(f"{number.e164}: could not set its SMS URL ({exc})", "set it by hand")
            return
        yield ok(f"fixed: {number.e164} now sends incoming texts to {self.messages_url} "
                 f"(POST; was {was})")
