"""How a delivery says "not now" or "never": raised, caught by the outbox runner."""

from __future__ import annotations

from datetime import datetime


class Postpone(Exception):
    """Nothing was done; run the item again at `until`."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason


class GiveUp(Exception):
    """The item can never succeed (e.g. the reply was refused); record why and move on."""
