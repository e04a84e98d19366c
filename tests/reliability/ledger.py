"""What was acknowledged, and what Slack and Twilio ended up with: the reliability figures.

Every text, MMS and reply a suite sends is written down here once the app acknowledged it
(2xx). `tally()` then compares with the fakes: lost (acknowledged, never delivered), doubled
Slack posts, SMS sent twice, and order violations within a conversation.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import top_level

BODY = re.compile(r"^(?P<who>c\d+) (?P<kind>in|mms|re)#(?P<n>\d+)$")


def body_for(customer_tag: str, kind: str, n: int) -> str:
    """A unique body naming its conversation, so each delivery can be traced back."""
    return f"{customer_tag} {kind}#{n}"


@dataclass
class Tally:
    texts_lost: int = 0
    slack_doubled: int = 0
    sms_lost: int = 0
    sms_twice: int = 0
    order_violations: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.texts_lost or self.slack_doubled or self.sms_lost or self.sms_twice
                    or self.order_violations)


def _inversions(seen: list[str], expected: list[str]) -> int:
    """Adjacent pairs of `seen` (first occurrences, acknowledged only) out of `expected` order."""
    rank = {body: i for i, body in enumerate(expected)}
    firsts = [b for i, b in enumerate(seen) if b in rank and b not in seen[:i]]
    return sum(1 for a, b in pairwise(firsts) if rank[a] > rank[b])


class Ledger:
    """Thread-safe record of acknowledged inbound texts/MMS and thread replies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inbound: dict[str, list[str]] = defaultdict(list)  # customer tag -> bodies
        self.media: dict[str, bytes] = {}  # MMS body -> its file's bytes
        self.replies: dict[str, list[str]] = defaultdict(list)  # customer phone -> bodies

    def acked_inbound(self, tag: str, body: str, content: bytes | None = None) -> None:
        with self._lock:
            self.inbound[tag].append(body)
            if content is not None:
                self.media[body] = content

    def acked_reply(self, phone: str, body: str) -> None:
        with self._lock:
            self.replies[phone].append(body)

    def composition(self) -> str:
        """'N (a texts, b MMS, c replies)' for the figures table."""
        with self._lock:
            bodies = [b for v in self.inbound.values() for b in v]
            mms = sum(1 for b in bodies if b in self.media)
            replies = sum(map(len, self.replies.values()))
        return f"{len(bodies) + replies} ({len(bodies) - mms} texts, {mms} MMS, {replies} replies)"

    @property
    def count(self) -> int:
        with self._lock:
            return sum(map(len, self.inbound.values())) + sum(map(len, self.replies.values()))

    def tally(self, slack: FakeSlack, twilio: FakeTwilio, channels: list[str]) -> Tally:
        result = Tally()
        with self._lock:
            inbound = {k: list(v) for k, v in self.inbound.items()}
            media = dict(self.media)
            replies = {k: list(v) for k, v in self.replies.items()}
        posted: dict[str, list[str]] = defaultdict(list)
        roots_of: Counter[str] = Counter()
        files: Counter[bytes] = Counter()
        for channel in channels:
            for root in top_level(slack, channel):
                tags = set()
                for message in slack.thread(channel, root["ts"]):
                    for file in message.get("files") or []:
                        files[slack.file_contents[file["id"]]] += 1
                    match = BODY.match(message.get("text") or "")
                    if message.get("bot_id") and match and match["kind"] != "re":
                        posted[match["who"]].append(message["text"])
                        tags.add(match["who"])
                for tag in tags:
                    roots_of[tag] += 1
                if not tags:
                    roots_of["(empty root)"] += 1
        for tag, bodies in inbound.items():
            got = Counter(posted.get(tag, []))
            for body in bodies:
                if got[body] == 0:
                    result.texts_lost += 1
                    result.problems.append(f"lost: {body}")
                elif got[body] > 1:
                    result.slack_doubled += got[body] - 1
                    result.problems.append(f"posted {got[body]}x: {body}")
                if body in media and files[media[body]] != 1:
                    if files[media[body]] == 0:
                        result.texts_lost += 1
                    else:
                        result.slack_doubled += files[media[body]] - 1
                    result.problems.append(f"file of {body} shared {files[media[body]]}x")
            order = _inversions(posted.get(tag, []), bodies)
            if order:
                result.order_violations += order
                result.problems.append(f"thread of {tag} out of order: {posted.get(tag)}")
        for tag, count in roots_of.items():
            if count > 1 or tag == "(empty root)":
                result.slack_doubled += count - (tag != "(empty root)")
                result.problems.append(f"{count} thread roots for {tag}")
        created: dict[str, list[str]] = defaultdict(list)
        for record in list(twilio.created):
            created[str(record["params"]["To"])].append(str(record["params"].get("Body", "")))
        for phone, bodies in replies.items():
            got = Counter(created.get(phone, []))
            for body in bodies:
                if got[body] == 0:
                    result.sms_lost += 1
                    result.problems.append(f"SMS never sent: {body}")
                elif got[body] > 1:
                    result.sms_twice += got[body] - 1
                    result.problems.append(f"SMS sent {got[body]}x: {body}")
            order = _inversions(created.get(phone, []), bodies)
            if order:
                result.order_violations += order
                result.problems.append(f"SMS to {phone[-4:]} out of order: {created[phone]}")
        return result
