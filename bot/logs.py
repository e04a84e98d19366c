"""Logging for the console script: the app's own loggers at the chosen level, third-party
loggers that write request URLs, headers or bodies (phone numbers, message text, tokens)
held at WARNING whatever that level is (DESIGN §5: logs carry none of those)."""

from __future__ import annotations

import logging

NOISY = ("slack_bolt", "slack_sdk", "urllib3", "twilio.http_client", "requests")


def quiet_third_party() -> None:
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure(*, verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_third_party()
