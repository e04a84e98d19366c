"""Admin windows opened from App Home: add a number, assign members, change roles."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.services.home import HomeNumber


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text[:75]), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input", "block_id": block_id, "label": _plain(label),
        "element": {"action_id": ids.ADMIN_INPUT, **element}, **extra,
    }


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict]) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": callback_id, "title": _plain(title),
        "submit": _plain(submit), "close": _plain("Cancel"), "blocks": blocks,
    }


def build_add_number_modal() -> dict[str, Any]:
    return _modal(ids.ADD_NUMBER_VIEW, "Add SMS number", "Add", [
        _input(ids.ADMIN_NUMBER_BLOCK, "Number (E.164)", {
            "type": "plain_text_input", "placeholder": _plain("+14155550123"),
        }),
        _input(ids.ADMIN_CHANNEL_BLOCK, "Channel its texts land in", {
            "type": "conversations_select",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        }, hint=_plain("For a private channel, invite the app first (/invite @smsbridge).")),
        _input(ids.ADMIN_LABEL_BLOCK, "Label", {
            "type": "plain_text_input", "placeholder": _plain("Support"),
        }, optional=True),
    ])


def build_assign_modal(numbers: list[HomeNumber]) -> dict[str, Any]:
    return _modal(ids.ASSIGN_VIEW, "Assign members", "Save", [
        _input(ids.ADMIN_NUMBER_BLOCK, "SMS number", {
            "type": "static_select",
            "options": [_option(n.title, str(n.id)) for n in numbers[:100]]
            or [_option("No numbers yet", "none")],
        }),
        _input(ids.ADMIN_USER_BLOCK, "Member", {"type": "users_select"}),
        _input(ids.ADMIN_CHANGE_BLOCK, "Change", {
            "type": "radio_buttons",
            "options": [
                _option("Assign", "assign"),
                _option("Assign as their default", "default"),
                _option("Unassign", "unassign"),
            ],
            "initial_option": _option("Assign", "assign"),
        }),
    ])


def build_roles_modal() -> dict[str, Any]:
    return _modal(ids.ROLES_VIEW, "Change roles", "Save", [
        _input(ids.ADMIN_USER_BLOCK, "Member", {"type": "users_select"}),
        _input(ids.ADMIN_ROLE_BLOCK, "Role", {
            "type": "static_select",
            "options": [_option("Admin", "admin"), _option("Manager", "manager")],
        }),
        _input(ids.ADMIN_CHANGE_BLOCK, "Change", {
            "type": "radio_buttons",
            "options": [_option("Grant", "grant"), _option("Revoke", "revoke")],
            "initial_option": _option("Grant", "grant"),
        }),
    ])
