"""A steady, seeded stream of inbound texts, MMS and thread replies, as Twilio and Slack
send them: each request is retried with the same MessageSid / event_id until the app
acknowledges it (2xx), and only then written in the ledger and the next one sent."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable

import requests

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import AGENT, message_event, send_event
from tests.media_samples import sample
from tests.reliability.ledger import BODY, Ledger, body_for

RETRY_PAUSE = 0.1


class Traffic(threading.Thread):
    """Sends until stopped; `url()` names the serving process to talk to at each attempt."""

    def __init__(
        self, *, url: Callable[[], str], slack: FakeSlack, twilio: FakeTwilio, number: str,
        channel: str, customers: int, seed: int, ledger: Ledger, mms_share: float = 0.1,
        reply_share: float = 0.3, pause: float = 0.05,
    ) -> None:
        super().__init__(name="traffic", daemon=True)
        self.url, self.slack, self.twilio = url, slack, twilio
        self.number, self.channel = number, channel
        self.customers = [(f"c{i}", f"+1650555{i:04d}") for i in range(customers)]
        self.rng = random.Random(seed)
        self.ledger = ledger
        self.mms_share, self.reply_share, self.pause = mms_share, reply_share, pause
        self.stopped = threading.Event()
        self.errors: list[str] = []
        self.counter = 0
        self.refusals = 0  # 5xx answers and refused connections, retried

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=60)

    def run(self) -> None:
        while not self.stopped.is_set() and not self.errors:
            tag, phone = self.rng.choice(self.customers)
            self.counter += 1
            roll = self.rng.random()
            root = self._thread_of(tag) if roll < self.reply_share else None
            if root is not None:
                self._reply(phone, root, body_for(tag, "re", self.counter))
            elif roll > 1 - self.mms_share:
                content = sample(self.counter, size=2000)
                self._inbound(tag, phone, body_for(tag, "mms", self.counter), content)
            else:
                self._inbound(tag, phone, body_for(tag, "in", self.counter), None)
            self.stopped.wait(self.pause)

    def _thread_of(self, tag: str) -> str | None:
        """The conversation's thread, once its first text has been posted."""
        for message in self.slack.messages_in(self.channel):
            match = BODY.match(message.get("text") or "")
            if match and match["who"] == tag and message.get("bot_id") and message["thread_ts"]:
                return str(message["thread_ts"])
        return None

    def _inbound(self, tag: str, phone: str, body: str, content: bytes | None) -> None:
        sid = "SM" + uuid.uuid4().hex
        media = [("image/jpeg", content)] if content is not None else []

        def attempt(url: str) -> requests.Response:
            return self.twilio.send_inbound(f"{url}/twilio/messages", from_=phone, to=self.number,
                                            body=body, media=media, message_sid=sid)

        if self._until_acked(attempt, body):
            self.ledger.acked_inbound(tag, body, content)

    def _reply(self, phone: str, root: str, body: str) -> None:
        ts = self.slack.add_message(self.channel, user=AGENT, text=body, thread_ts=root)["ts"]
        envelope = message_event(team_id=self.slack.team_id, channel=self.channel, user=AGENT,
                                 text=body, ts=ts, thread_ts=root)
        if self._until_acked(lambda url: send_event(url, envelope), body):
            self.ledger.acked_reply(phone, body)

    def _until_acked(self, attempt: Callable[[str], requests.Response], body: str) -> bool:
        """Retry as the providers do; False when stopped before an acknowledgement."""
        while not self.stopped.is_set():
            try:
                response = attempt(self.url())
            except requests.RequestException:
                self.refusals += 1
            else:
                if response.status_code == 200:
                    return True
                if response.status_code < 500:
                    self.errors.append(f"{body}: HTTP {response.status_code} {response.text}")
                    return False
                self.refusals += 1
            time.sleep(RETRY_PAUSE)
        return False
