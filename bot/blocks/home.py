"""App Home: the member's profile (numbers, default), recent messages, admin sections."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.escalation import build_escalations_channel_section
from bot.blocks.marks import CHAT_MARK, SMS_MARK
from bot.services.compose import no_number_text
from bot.services.home import HomeData, HomeNumber, RecentMessage
from bot.text import escape_mrkdwn

PREVIEW_CHARS = 80
MAX_ADMIN_ROWS = 20


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def _mrkdwn_section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}, **extra}


def _button(text: str, action_id: str, value: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": _plain(text), "action_id": action_id}
    if value is not None:
        button["value"] = value
    return button


def _number_option(number: HomeNumber) -> dict[str, Any]:
    return {"text": _plain(number.title[:75]), "value": str(number.id)}


def _number_line(number: HomeNumber) -> str:
    default = " · *default*" if number.is_default else ""
    return f"{SMS_MARK} {escape_mrkdwn(number.title)} → <#{number.channel_id}>{default}"


def _recent_line(item: RecentMessage) -> str:
    mark = SMS_MARK if item.is_sms else CHAT_MARK
    preview = item.preview.replace("\n", " ")
    if len(preview) > PREVIEW_CHARS:
        preview = preview[: PREVIEW_CHARS - 1] + "…"
    link = f" · <{item.link}|open>" if item.link else ""
    return f"{mark} *{escape_mrkdwn(item.who)}* — {escape_mrkdwn(preview)}{link}"


def build_home(data: HomeData) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain("Your SMS numbers")},
    ]
    if data.numbers:
        blocks += [_mrkdwn_section(_number_line(n)) for n in data.numbers]
        default = next((n for n in data.numbers if n.is_default), None)
        select: dict[str, Any] = {
            "type": "static_select", "action_id": ids.HOME_DEFAULT_NUMBER,
            "placeholder": _plain("Choose your default"),
            "options": [_number_option(n) for n in data.numbers[:100]],
        }
        if default is not None:
            select["initial_option"] = _number_option(default)
        blocks.append(_mrkdwn_section(
            "Default number for `/sms` and new messages:", accessory=select,
        ))
    else:
        blocks.append(_mrkdwn_section(no_number_text(data.admins)))
    blocks.append({"type": "actions", "elements": [
        _button("New message", ids.HOME_NEW_MESSAGE),
        _button("Add contact", ids.HOME_ADD_CONTACT),
    ]})
    blocks += [{"type": "divider"}, {"type": "header", "text": _plain("Recent messages")}]
    if data.recent:
        blocks += [_mrkdwn_section(_recent_line(item)) for item in data.recent]
    else:
        blocks.append(_mrkdwn_section("No messages yet. Start one with *New message* or `/sms`."))
    if data.is_admin:
        blocks += build_admin_sections(data)
    return {"type": "home", "blocks": blocks[:100]}


def build_admin_sections(data: HomeData) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "divider"}, {"type": "header", "text": _plain("Admin: numbers and assignments")},
    ]
    for number in data.all_numbers[:MAX_ADMIN_ROWS]:
        people = ", ".join(
            f"<@{user}>" + (" (default)" if is_default else "")
            for user, is_default in number.assignees
        ) or "nobody yet"
        blocks.append(_mrkdwn_section(
            f"{escape_mrkdwn(number.title)} → <#{number.channel_id}>\nAssigned: {people}"
        ))
    if not data.all_numbers:
        blocks.append(_mrkdwn_section("No SMS numbers yet."))
    blocks.append({"type": "actions", "elements": [
        _button("Add number", ids.HOME_ADD_NUMBER),
        _button("Assign members", ids.HOME_ASSIGN),
    ]})
    blocks.append({"type": "header", "text": _plain("Admin: roles")})
    lines = [f"• <@{user}> — {role}" for user, role in data.roles[:MAX_ADMIN_ROWS]]
    blocks.append(_mrkdwn_section("\n".join(lines) or "No roles granted yet."))
    blocks.append({"type": "actions", "elements": [_button("Change roles", ids.HOME_ROLES)]})
    blocks.append({"type": "header", "text": _plain("Admin: escalations")})
    blocks.extend(build_escalations_channel_section(channel_id=data.escalations_channel))
    return blocks
