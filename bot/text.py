"""Text crossing between Slack mrkdwn and plain SMS."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

MAX_SMS_CHARS = 1600

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
NOTE_PREFIXES = ("note:", "//")


def escape_mrkdwn(text: str) -> str:
    """Escape customer text for Slack so it can never mention, link or format controls."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def is_note(text: str) -> bool:
    """A thread reply that starts with `note:` or `//` stays in Slack."""
    return text.lstrip().lower().startswith(NOTE_PREFIXES)


def slack_to_plain(text: str, *, user_names: Mapping[str, str] | None = None) -> str:
    """Turn what a person typed in Slack into the text a phone shows.

    Links become their URL (or `label (url)`), mentions become @name, and the
    `&amp; &lt; &gt;` entities Slack adds are undone.
    """
    names = user_names or {}

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            user = target[1:]
            return "@" + (label or names.get(user) or "someone")
        if target.startswith("#"):
            return "#" + (label or "channel")
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return label or target[len("mailto:"):]
        if label and label != target:
            return f"{label} ({target})"
        return target

    return html.unescape(_LINK.sub(replace, text))
