"""Block Kit for conversation threads: pure functions returning Slack payload pieces."""

from __future__ import annotations

from bot.phones import format_phone
from bot.text import escape_mrkdwn
from bot.twilio_errors import describe_error

EXTERNAL_MARK = "🔵"
SMS_MARK = "📱"

# Reactions on a reply show its delivery state (one at a time).
STATUS_REACTIONS: dict[str, str] = {
    "accepted": "hourglass_flowing_sand",
    "queued": "hourglass_flowing_sand",
    "scheduled": "hourglass_flowing_sand",
    "sending": "hourglass_flowing_sand",
    "sent": "outbox_tray",
    "delivered": "white_check_mark",
    "read": "white_check_mark",
    "undelivered": "x",
    "failed": "x",
}
FAILED_STATUSES = frozenset({"undelivered", "failed"})


def contact_label(*, name: str | None, e164: str) -> str:
    """The contact as people see it: name when known, else the formatted number."""
    return name or format_phone(e164)


def build_inbound_text(body: str) -> str:
    """A customer's text as posted in the thread: escaped, so it can't ping or hide links."""
    return escape_mrkdwn(body) if body.strip() else "_(empty message)_"


def build_failure_note(*, contact_e164: str, status: str, error_code: int | None) -> str:
    code = f" (error {error_code})" if error_code is not None else ""
    return (
        f":x: Not delivered to {format_phone(contact_e164)} — {status}{code}: "
        f"{describe_error(error_code)}"
    )
