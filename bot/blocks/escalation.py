"""Block Kit for escalations: the modal, the managers' notice and the App Home setting."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids
from bot.blocks.card import MANAGER_MARK
from bot.text import escape_mrkdwn

URGENCY_LABELS = {"normal": "Normal", "urgent": "Urgent :rotating_light:"}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def build_escalation_modal(
    *, conversation_id: int, contact: str, managers: list[tuple[str, str]],
    channel_id: str | None,
) -> dict[str, Any]:
    """Reason, urgency, and (with several managers) whom to escalate to.

    `managers` are (user id, display name) pairs, the person escalating left out."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": f"Hand *{escape_mrkdwn(contact)}* up to a manager."}},
        {
            "type": "input", "block_id": ids.ESCALATE_REASON_BLOCK,
            "label": {"type": "plain_text", "text": "Reason"},
            "element": {"type": "plain_text_input", "action_id": ids.ESCALATE_REASON_INPUT,
                        "multiline": True, "max_length": 2000},
        },
        {
            "type": "input", "block_id": ids.ESCALATE_URGENCY_BLOCK,
            "label": {"type": "plain_text", "text": "Urgency"},
            "element": {
                "type": "radio_buttons", "action_id": ids.ESCALATE_URGENCY_INPUT,
                "options": [_option(label, value) for value, label in URGENCY_LABELS.items()],
                "initial_option": _option(URGENCY_LABELS["normal"], "normal"),
            },
        },
    ]
    if len(managers) > 1:
        everyone = _option("All managers", ids.ESCALATE_TARGET_ALL)
        blocks.append({
            "type": "input", "block_id": ids.ESCALATE_TARGET_BLOCK,
            "label": {"type": "plain_text", "text": "Escalate to"},
            "element": {
                "type": "static_select", "action_id": ids.ESCALATE_TARGET_INPUT,
                "options": [everyone] + [
                    _option(f"{MANAGER_MARK} {name}"[:75], user) for user, name in managers
                ],
                "initial_option": everyone,
            },
        })
    if channel_id:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"<#{channel_id}> is told as well."}]})
    return {
        "type": "modal", "callback_id": ids.ESCALATE_VIEW,
        "title": {"type": "plain_text", "text": "Escalate"},
        "submit": {"type": "plain_text", "text": "Escalate"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"conversation_id": conversation_id}),
        "blocks": blocks,
    }


def build_escalation_notice(
    *, conversation_id: int, contact: str, number: str, reason: str, urgency: str,
    escalated_by: str, permalink: str, taken_over_by: str | None,
) -> tuple[str, list[dict[str, Any]]]:
    """What a manager (DM) and the escalations channel see; re-rendered once taken over."""
    who = escape_mrkdwn(contact)
    flag = ":rotating_light: *Urgent* escalation" if urgency == "urgent" else "Escalation"
    text = f"{flag}: {who} on {number}, from <@{escalated_by}>"
    quoted = "\n".join(f">{line}" for line in escape_mrkdwn(reason).splitlines() or [""])
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{text}\n{quoted}"}},
        {"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"<{permalink}|Open the conversation thread>"}]},
    ]
    if taken_over_by:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"{MANAGER_MARK} Taken over by <@{taken_over_by}>"}]})
        text += f" · taken over by <@{taken_over_by}>"
    else:
        blocks.append({"type": "actions", "block_id": f"escalation:{conversation_id}",
                       "elements": [{
                           "type": "button", "action_id": ids.ESCALATION_TAKE_OVER,
                           "value": str(conversation_id), "style": "primary",
                           "text": {"type": "plain_text", "text": "Take over"},
                       }]})
    return text, blocks


def build_escalation_note(*, escalated_by: str, reason: str, urgency: str,
                          targets: list[str]) -> str:
    """The note left in the conversation thread (stays in Slack)."""
    flag = " (urgent)" if urgency == "urgent" else ""
    return (f":rotating_light: <@{escalated_by}> escalated this conversation{flag} to "
            f"{', '.join(targets)}: {escape_mrkdwn(reason)}")


def build_escalations_channel_section(*, channel_id: str | None) -> list[dict[str, Any]]:
    """App Home (admins): the escalations channel, changeable with a channel picker."""
    shown = f"<#{channel_id}>" if channel_id else "_none: escalations go to managers' DMs only_"
    select: dict[str, Any] = {
        "type": "conversations_select", "action_id": ids.ESCALATIONS_CHANNEL_SELECT,
        "placeholder": {"type": "plain_text", "text": "Pick a channel"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id:
        select["initial_conversation"] = channel_id
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Escalations channel:* {shown}"},
         "accessory": select},
    ]
