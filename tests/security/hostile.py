"""Hostile customer text, and the checks that Slack would show it as text: no control
sequence (`<…>`) the customer's text could have produced, and the text comes back exactly
once Slack undoes its three entities."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from tests.fakes import FakeSlack

EVIL = "U0EVIL"
HOSTILE_BODIES = [
    "<!channel> everyone look",
    "<!here|here> and <!everyone>",
    f"hi <@{EVIL}> and <@U0AGENT>",
    "<http://evil.example/login|click here to verify>",
    "<https://evil.example>",
    "<mailto:evil@evil.example|support@company.example>",
    "<#C0SUPPORT|general> <!subteam^S0EVIL|@admins>",
    "<!date^1700000000^{date}|evil date>",
    "&lt;!channel&gt; pre-escaped &amp;lt;@U0EVIL&amp;gt; &#60;!here&#62;",
    "*bold* _italic_ ~strike~ `code` ```block``` >quote",
    "a <b>c</d> <<!channel>> <|> <> <",
    "\u202eknil.live//:ptth\u202c and \u200b<\u200b!channel\u200b>",
    "zero\u200bwidth\u200c\u200djoin\ufeff",
    "emoji 👍🏽 👨‍👩‍👧 🇺🇸 and <!channel> 🎉",
    "<!channel>" * 170,  # 1700 characters: longer than one SMS can be
    ("x" * 1599) + "<@U0EVIL>",
]
CONTROL = re.compile(r"<([^<>]*)>")
HOSTILE_MARKERS = ("evil", "!channel", "!here", "!everyone", "!subteam", "click here")


def slack_unescape(text: str) -> str:
    """What Slack shows for mrkdwn text: `&lt;`, `&gt;`, `&amp;` undone, nothing else."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


POSTING = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish",
           "views.open", "views.update")


def posted_strings(slack: FakeSlack) -> list[str]:
    """Every string the app sent Slack to show: message text, blocks, views."""
    found: list[str] = []
    for method in POSTING:
        for call in slack.calls_to(method):
            for key in ("text", "blocks", "view", "attachments"):
                value = call.params.get(key)
                if isinstance(value, str) and key != "text":
                    with contextlib.suppress(json.JSONDecodeError):
                        value = json.loads(value)
                found.extend(strings_in(value))
    return found


def control_sequences_from_customer(strings: list[str]) -> list[str]:
    """`<…>` sequences (mentions, links, specials) carrying anything a hostile text put
    there; the app's own (`<@member>`, `<#channel>`, `<!date^…>`, permalinks) are fine."""
    bad = []
    for text in strings:
        for match in CONTROL.finditer(text):
            inner = match.group(1).lower()
            if any(marker in inner for marker in HOSTILE_MARKERS):
                bad.append(match.group(0))
    return bad
