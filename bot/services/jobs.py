"""What services need from the job queue: run an outbox item now or at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class JobQueue(Protocol):
    def enqueue(self, item_id: int) -> None: ...

    def enqueue_at(self, item_id: int, eta: datetime) -> None: ...
