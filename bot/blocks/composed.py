"""What the app posts for a composed message: the echo in the conversation's thread, the
sender's confirmation, and a chat delivered as a DM."""

from __future__ import annotations

from typing import Any

from bot.blocks.marks import CHAT_MARK, SMS_MARK
from bot.text import escape_mrkdwn


def build_outbound_echo(*, sender: str, body: str) -> str:
    """A composed text as it appears in the conversation's thread."""
    return f"{SMS_MARK} <@{sender}> texted: {escape_mrkdwn(body)}"


def build_sms_confirmation(*, contact: str, number: str, permalink: str) -> str:
    return (
        f"{SMS_MARK} Your text to {escape_mrkdwn(contact)} is on its way from "
        f"{escape_mrkdwn(number)}. <{permalink}|Open the conversation>"
    )


def build_internal_chat(*, sender: str, team_id: str, body: str) -> tuple[str, list[dict]]:
    """A chat delivered by the app in its DM with the recipient, naming the sender."""
    text = f"{CHAT_MARK} <@{sender}> sent you a message: {escape_mrkdwn(body)}"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{CHAT_MARK} <@{sender}> wrote:"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": escape_mrkdwn(body)}},
        {"type": "context", "elements": [{
            "type": "mrkdwn",
            "text": f"Sent through smsbridge · <slack://user?team={team_id}&id={sender}|"
                    "Reply to them directly>",
        }]},
    ]
    return text, blocks
