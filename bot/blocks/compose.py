"""Block Kit for composing: the New message window, picker options, and what the app posts
for a composed message (the echo in the thread, the sender's confirmation, the DM)."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids
from bot.blocks.marks import EXTERNAL_MARK, MANAGER_MARK, MEMBER_MARK, SMS_MARK
from bot.phones import format_phone
from bot.segments import count_segments
from bot.services.compose import ComposeForm, SenderNumber, no_number_text
from bot.services.directory import Recipient, RecipientKind
from bot.text import MAX_SMS_CHARS, escape_mrkdwn

OPTION_TEXT_LIMIT = 75


def _plain(text: str, *, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def recipient_label(recipient: Recipient) -> str:
    """A contact everywhere it is offered: 🟤 member · chat, ⚪ manager · chat,
    🔵 contact · phone, and a typed number as "Text +1 …"."""
    if recipient.kind is RecipientKind.PHONE:
        assert recipient.e164 is not None
        return f"{SMS_MARK} Text {format_phone(recipient.e164)}"
    if recipient.kind is RecipientKind.MEMBER:
        mark = MANAGER_MARK if recipient.is_manager else MEMBER_MARK
        return f"{mark} {recipient.name} · chat"
    assert recipient.e164 is not None
    phone = format_phone(recipient.e164)
    if recipient.name == phone:
        return f"{EXTERNAL_MARK} {phone}"
    return f"{EXTERNAL_MARK} {recipient.name} · {phone}"


def build_recipient_option(recipient: Recipient) -> dict[str, Any]:
    label = recipient_label(recipient)
    if len(label) > OPTION_TEXT_LIMIT:
        label = label[: OPTION_TEXT_LIMIT - 1] + "…"
    return {"text": _plain(label), "value": recipient.value}


def build_recipient_options(recipients: list[Recipient]) -> list[dict[str, Any]]:
    return [build_recipient_option(r) for r in recipients[:100]]


def _number_option(number: SenderNumber) -> dict[str, Any]:
    title = number.title + (" · default" if number.is_default else "")
    return {"text": _plain(title[:OPTION_TEXT_LIMIT]), "value": str(number.id)}


def build_counter(text: str) -> str:
    """N characters · M segments · GSM-7/Unicode (and the limit when over it)."""
    count = count_segments(text)
    encoding = "GSM-7" if count.encoding == "GSM-7" else "Unicode"
    line = (
        f"{count.characters} character{'s' if count.characters != 1 else ''} · "
        f"{count.segments} segment{'s' if count.segments != 1 else ''} · {encoding}"
    )
    if count.characters > MAX_SMS_CHARS:
        line += f" · over the {MAX_SMS_CHARS}-character limit"
    return line


def build_compose_modal(form: ComposeForm, *, prefill: bool = True) -> dict[str, Any]:
    """The New message window. The From picker and files show only for an SMS recipient;
    a sender without numbers sees whom to ask instead. `prefill=False` on a refresh: Slack
    keeps what was typed (same block and action ids), and the count is of `form.text`."""
    recipient_select: dict[str, Any] = {
        "type": "external_select",
        "action_id": ids.COMPOSE_RECIPIENT,
        "placeholder": _plain("Name or phone number"),
        "min_query_length": 1,
    }
    if form.recipient is not None:
        recipient_select["initial_option"] = build_recipient_option(form.recipient)
    blocks: list[dict[str, Any]] = []
    if form.notice:
        blocks.append({
            "type": "context", "block_id": ids.COMPOSE_NOTICE_BLOCK,
            "elements": [{"type": "mrkdwn", "text": f":warning: {escape_mrkdwn(form.notice)}"}],
        })
    blocks.append({
        "type": "input", "block_id": ids.COMPOSE_RECIPIENT_BLOCK, "dispatch_action": True,
        "label": _plain("To"), "element": recipient_select,
        "hint": _plain(f"{MEMBER_MARK} coworker (chat) · {EXTERNAL_MARK} customer (SMS)"),
    })
    external = form.recipient is None or form.recipient.is_external
    if external and not form.numbers:
        blocks.append({
            "type": "section", "block_id": ids.COMPOSE_NO_NUMBER_BLOCK,
            "text": {"type": "mrkdwn", "text": no_number_text(form.admins)},
        })
    elif form.recipient is not None and form.recipient.is_external:
        chosen = form.chosen_number
        from_select: dict[str, Any] = {
            "type": "static_select",
            "action_id": ids.COMPOSE_FROM,
            "options": [_number_option(n) for n in form.numbers[:100]],
        }
        if chosen is not None:
            from_select["initial_option"] = _number_option(chosen)
        blocks.append({
            "type": "input", "block_id": ids.COMPOSE_FROM_BLOCK, "label": _plain("From"),
            "element": from_select,
        })
    message: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.COMPOSE_MESSAGE,
        "multiline": True,
        "dispatch_action_config": {"trigger_actions_on": ["on_character_entered"]},
        "placeholder": _plain("Your message"),
    }
    if form.text and prefill:
        message["initial_value"] = form.text[:3000]
    blocks += [
        {
            "type": "input", "block_id": ids.COMPOSE_MESSAGE_BLOCK, "dispatch_action": True,
            "label": _plain("Message"), "element": message,
        },
        {
            "type": "context", "block_id": ids.COMPOSE_COUNTER_BLOCK,
            "elements": [{"type": "plain_text", "text": build_counter(form.text), "emoji": True}],
        },
    ]
    if form.recipient is not None and form.recipient.is_external and form.numbers:
        blocks.append({
            "type": "input", "block_id": ids.COMPOSE_FILES_BLOCK, "optional": True,
            "label": _plain("Files (MMS)"),
            "element": {"type": "file_input", "action_id": ids.COMPOSE_FILES, "max_files": 10},
        })
    blocks.append({"type": "actions", "elements": [{
        "type": "button", "action_id": ids.COMPOSE_ADD_CONTACT,
        "text": _plain("Add a contact"),
    }]})
    return {
        "type": "modal",
        "callback_id": ids.COMPOSE_VIEW,
        "title": _plain("New message"),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": form.origin_channel}),
        "blocks": blocks,
    }
