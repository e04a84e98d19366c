"""Slack request signatures, checked on the raw body before Bolt parses anything.

Bolt parses the body (JSON, form, `payload=`) before its own signature middleware runs, and
that middleware (slack_sdk's SignatureVerifier) raises on a timestamp that is not a number
and on a body that is not UTF-8: a forged request got a 500 instead of Slack's 401. Checking
here first, over the bytes as sent, means a forger only ever sees 401 and the app never
parses what it did not verify. Bolt still checks again behind this.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Request, Response

TOLERANCE_SECONDS = 60 * 5


class SlackSignature:
    """Slack's v0 scheme: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""

    def __init__(self, signing_secret: str) -> None:
        self.key = signing_secret.encode()

    def expected(self, *, timestamp: str, body: bytes) -> str:
        base = b"v0:" + timestamp.encode() + b":" + body
        return "v0=" + hmac.new(self.key, base, hashlib.sha256).hexdigest()

    def is_signed(self, request: Request, *, now: float | None = None) -> bool:
        """True when the timestamp is a number within five minutes of now and the signature
        over the raw body matches."""
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) or not signature:
            return False
        clock = time.time() if now is None else now
        if abs(clock - int(stamp)) > TOLERANCE_SECONDS:
            return False
        expected = self.expected(timestamp=stamp, body=request.get_data(cache=True))
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def unauthorized() -> Response:
    return Response("invalid Slack request signature", status=401, mimetype="text/plain")


def malformed(reason: str) -> Response:
    return Response(f"malformed Slack request: {reason}", status=400, mimetype="text/plain")
