"""Local fake Slack and Twilio HTTP servers for tests (official clients talk to them)."""

from .slack import Call, Channel, FakeSlack
from .twilio import FakeTwilio, RedirectingHttpClient, RequestLog

__all__ = ["Call", "Channel", "FakeSlack", "FakeTwilio", "RedirectingHttpClient", "RequestLog"]
