"""Runs outbox items: claim with a lease, deliver, then finish, postpone or fail.

Huey jobs call `run(item_id)`; the sweeper calls `sweep()` to re-enqueue items whose job
was lost (a crash after dequeue, an enqueue that never happened) once their lease expired.
An unexpected exception propagates with the lease still held: the item runs again after
the lease expires, like after a crash.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import (
    GatewayError,
    OutcomeUnknown,
    RateLimited,
    SlackError,
    TransientError,
    TwilioRejected,
)
from bot.services.clock import utcnow
from bot.services.jobs import JobQueue
from bot.services.outcomes import GiveUp, Postpone
from storage.models import OutboxItem, OutboxState
from storage.repositories import outbox

log = logging.getLogger(__name__)

Delivery = Callable[[OutboxItem], list[int]]
MAX_BACKOFF_SECONDS = 300.0
MAX_ATTEMPTS = 200


def backoff(attempts: int) -> float:
    """Exponential with jitter: 1 s, 2 s, 4 s … capped at five minutes."""
    base = min(MAX_BACKOFF_SECONDS, 2.0 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)


class OutboxRunner:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        deliveries: Mapping[str, Delivery],
        queue: JobQueue,
        lease_seconds: float,
    ) -> None:
        self.session_factory = session_factory
        self.deliveries = deliveries
        self.queue = queue
        self.lease_seconds = lease_seconds
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def run(self, item_id: int) -> None:
        """Run the item, then the rest of its lane while items are due."""
        next_id: int | None = item_id
        while next_id is not None:
            next_id = self._run_one(next_id)

    def _run_one(self, item_id: int) -> int | None:
        now = utcnow()
        with self.session_factory.begin() as session:
            if not outbox.claim(
                session, item_id, owner=self.owner, now=now, lease=self.lease_seconds
            ):
                return None
            item = session.get(OutboxItem, item_id)
            assert item is not None
            session.expunge(item)
        if item.attempts > MAX_ATTEMPTS:
            return self._finish(item, OutboxState.FAILED, f"gave up after {MAX_ATTEMPTS} attempts")
        try:
            followups = self.deliveries[item.kind](item)
        except Postpone as signal:
            self._postpone(item, signal.until - utcnow(), signal.reason)
            return None
        except RateLimited as exc:
            self._postpone(item, timedelta(seconds=exc.retry_after), str(exc))
            return None
        except (OutcomeUnknown, TransientError) as exc:
            self._postpone(item, timedelta(seconds=backoff(item.attempts)), str(exc))
            return None
        except (SlackError, TwilioRejected, GiveUp) as exc:
            log.warning("outbox item %s (%s) failed for good: %s", item.id, item.kind, exc)
            return self._finish(item, OutboxState.FAILED, str(exc))
        except GatewayError as exc:
            self._postpone(item, timedelta(seconds=backoff(item.attempts)), str(exc))
            return None
        for followup in followups:
            self.queue.enqueue(followup)
        return self._finish(item, OutboxState.DONE, None)

    def _finish(self, item: OutboxItem, state: str, error: str | None) -> int | None:
        with self.session_factory.begin() as session:
            outbox.finish(session, item.id, state=state, now=utcnow(), error=error)
            following = outbox.next_in_lane(session, item.lane)
            if following is None:
                return None
            if following.not_before > utcnow():
                self.queue.enqueue_at(following.id, following.not_before)
                return None
            return following.id

    def _postpone(self, item: OutboxItem, delay: timedelta, reason: str) -> None:
        until = utcnow() + max(delay, timedelta(0))
        log.info("outbox item %s (%s) postponed %.1fs: %s", item.id, item.kind,
                 delay.total_seconds(), reason)
        with self.session_factory.begin() as session:
            outbox.postpone(session, item.id, until=until, error=reason)
        self.queue.enqueue_at(item.id, until)

    def sweep(self, *, grace: float) -> int:
        """Enqueue due lane heads that no job is working on; returns how many."""
        with self.session_factory.begin() as session:
            ids = outbox.due_lane_heads(session, now=utcnow(), grace=grace, limit=1000)
        for item_id in ids:
            self.queue.enqueue(item_id)
        return len(ids)
