"""What people see about opt-outs: thread notes, the refusal sentence, the HELP answer.

Times are Slack date tokens (each reader sees their own time zone) with a UTC fallback.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.phones import format_phone
from bot.text import escape_mrkdwn
from bot.twilio_errors import OPT_OUT_ERROR

OPTED_OUT_MARK = "🚫"
OPTED_IN_MARK = "✅"


def slack_time(moment: datetime) -> str:
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def opt_out_cause(keyword: str) -> str:
    """How the opt-out came about, for "opted out <cause>"."""
    if keyword == str(OPT_OUT_ERROR):
        return f"(Twilio refused a text with error {OPT_OUT_ERROR}: unsubscribed)"
    return f"by {keyword}"


def build_opt_out_note(*, keyword: str, at: datetime) -> str:
    return (
        f"{OPTED_OUT_MARK} Opted out {opt_out_cause(keyword)} at {slack_time(at)}. "
        "No text can be sent to this customer from this number until they text START."
    )


def build_opt_in_note(*, keyword: str, at: datetime) -> str:
    return (
        f"{OPTED_IN_MARK} Opted back in by {keyword} at {slack_time(at)}. "
        "Replies are texted again."
    )


def build_opt_out_status(*, keyword: str, at: datetime) -> str:
    """The status line on the conversation's root while the opt-out lasts."""
    return f"{OPTED_OUT_MARK} *Opted out* {opt_out_cause(keyword)} at {slack_time(at)}"


def build_opt_out_refusal(
    *, contact_e164: str, number_name: str, keyword: str, at: datetime
) -> str:
    return (
        f"Not sent: {format_phone(contact_e164)} opted out of texts from {number_name} "
        f"{opt_out_cause(keyword)} at {slack_time(at)}. Nothing can be texted to them from it "
        "until they text START themselves."
    )


def build_help_reply_note(text: str) -> str:
    return f"🤖 Automatic answer to HELP: {escape_mrkdwn(text)}"
