"""Media bytes for MMS tests: distinct per index, so a mixed-up or truncated copy shows."""

from __future__ import annotations

import random
from typing import Any

from tests.fakes import FakeSlack

JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"


def sample(index: int, size: int = 3000, header: bytes = JPEG_HEADER) -> bytes:
    return header + random.Random(index).randbytes(size)


def thread_files(slack: FakeSlack, channel: str, thread_ts: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file shared in the thread, in order, duplicates included."""
    found = []
    for message in slack.thread(channel, thread_ts):
        for file in message.get("files") or []:
            found.append((str(file["name"]), slack.file_contents[file["id"]]))
    return found


def file_messages(slack: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    return [m for m in slack.thread(channel, thread_ts) if m.get("files")]
