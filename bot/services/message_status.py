"""Message states move one way only: queued → sent → delivered | undelivered | failed."""

from __future__ import annotations

RANK: dict[str, int] = {
    "pending": 0,
    "accepted": 1,
    "scheduled": 1,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "read": 5,
}


def moves_forward(current: str, new: str) -> bool:
    """True when `new` is a later state than `current` (unknown states never win)."""
    return RANK.get(new, -1) > RANK.get(current, -1)
