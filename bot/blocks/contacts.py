"""The contact add/edit window."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids
from bot.services.contacts import ContactDetails


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def build_contact_modal(contact: ContactDetails | None = None) -> dict[str, Any]:
    def field(block_id: str, label: str, value: str | None, *, optional: bool = True,
              multiline: bool = False) -> dict[str, Any]:
        element: dict[str, Any] = {
            "type": "plain_text_input", "action_id": ids.CONTACT_INPUT, "multiline": multiline,
        }
        if value:
            element["initial_value"] = value
        return {
            "type": "input", "block_id": block_id, "label": _plain(label), "element": element,
            "optional": optional,
        }

    return {
        "type": "modal",
        "callback_id": ids.CONTACT_VIEW,
        "title": _plain("Edit contact" if contact and contact.id else "Add contact"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"contact_id": contact.id if contact else None}),
        "blocks": [
            field(ids.CONTACT_PHONE_BLOCK, "Phone number", contact.e164 if contact else None,
                  optional=False),
            field(ids.CONTACT_NAME_BLOCK, "Name", contact.name if contact else None),
            field(ids.CONTACT_COMPANY_BLOCK, "Company", contact.company if contact else None),
            field(ids.CONTACT_NOTES_BLOCK, "Notes", contact.notes if contact else None,
                  multiline=True),
        ],
    }
