"""The conversation card: the thread's root message, re-rendered whenever its state changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks import ids
from bot.blocks.conversation import EXTERNAL_MARK, SMS_MARK, contact_label
from bot.blocks.optouts import build_opt_out_status
from bot.phones import format_phone
from bot.text import escape_mrkdwn

MANAGER_MARK = "⚪"


def number_line(*, number_e164: str, number_label: str | None) -> str:
    """The SMS number as people see it: `Support (+1 415-555-0100)`, escaped."""
    shown = format_phone(number_e164)
    return escape_mrkdwn(f"{number_label} ({shown})" if number_label else shown)


def status_line(
    *, closed: bool, assigned_to: str | None, taken_over_by: str | None,
    escalated_to: list[str], escalated_to_channel: str | None,
) -> str:
    """open · assigned to @x · escalated to @y · taken over by @m · closed."""
    if closed:
        return ":white_check_mark: closed"
    if taken_over_by:
        return f"{MANAGER_MARK} taken over by <@{taken_over_by}>"
    parts = [f"assigned to <@{assigned_to}>" if assigned_to else "open"]
    targets = [f"<@{user}>" for user in escalated_to]
    if escalated_to_channel:
        targets.append(f"<#{escalated_to_channel}>")
    if targets:
        parts.append(":rotating_light: escalated to " + ", ".join(targets))
    return " · ".join(parts)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button", "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id, "value": value,
    }
    if style:
        button["style"] = style
    return button


def _slack_date(moment: datetime) -> str:
    """Shown in each reader's own time zone; the fallback is UTC."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def build_conversation_card(
    *,
    conversation_id: int,
    contact_name: str | None,
    contact_e164: str,
    contact_company: str | None,
    number_e164: str,
    number_label: str | None,
    closed: bool,
    assigned_to: str | None,
    taken_over_by: str | None,
    escalated_to: list[str],
    escalated_to_channel: str | None,
    last_activity_at: datetime,
    opted_out_at: datetime | None = None,
    opted_out_by: str = "STOP",
) -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) of the root message; customer data escaped."""
    who = escape_mrkdwn(contact_label(name=contact_name, e164=contact_e164))
    phone = format_phone(contact_e164)
    line = number_line(number_e164=number_e164, number_label=number_label)
    status = status_line(
        closed=closed, assigned_to=assigned_to, taken_over_by=taken_over_by,
        escalated_to=escalated_to, escalated_to_channel=escalated_to_channel,
    )
    detail = f"{EXTERNAL_MARK} *{who}*" + (f" · {phone}" if contact_name else "")
    if contact_company:
        detail += f" · {escape_mrkdwn(contact_company)}"
    value = str(conversation_id)
    buttons = [_button("Assign to me", ids.CARD_ASSIGN_TO_ME, value)]
    buttons.append(_button("Escalate", ids.CARD_ESCALATE, value, "danger"))
    if taken_over_by:
        buttons.append(_button("Release", ids.CARD_RELEASE, value))
    else:
        buttons.append(_button("Take over", ids.CARD_TAKE_OVER, value))
    if closed:
        buttons.append(_button("Reopen", ids.CARD_REOPEN, value, "primary"))
    else:
        buttons.append(_button("Close", ids.CARD_CLOSE, value))
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{SMS_MARK} {detail}"}},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"Texted {line} · reply in this thread to text back"},
                {"type": "mrkdwn",
                 "text": f"*Status:* {status} · last activity {_slack_date(last_activity_at)}"},
            ],
        },
        {"type": "actions", "block_id": f"card:{conversation_id}", "elements": buttons},
    ]
    if opted_out_at is not None:
        opt_out = {"type": "mrkdwn",
                   "text": build_opt_out_status(keyword=opted_out_by, at=opted_out_at)}
        blocks[1]["elements"].append(opt_out)
    text = f"{SMS_MARK} SMS conversation with {who} on {line} · {status}"
    return text, blocks
