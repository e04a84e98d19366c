"""The job queue: huey on SQLite in the data directory (embedded) or on Redis (scale-out).

Jobs carry only an outbox item id; the row in the database is the truth. A lost job
costs latency (the sweeper finds the item again), never a message.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from bot.config import Settings

QUEUE_NAME = "smsbridge"
log = logging.getLogger(__name__)


def make_huey(settings: Settings) -> Huey:
    url = settings.queue_url or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
    elif url:
        raise ValueError("QUEUE_URL must be redis://… or sqlite:///path")
    else:
        path = settings.data_dir / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    # No fsync: the outbox in the database is the truth; a job lost with the OS is swept up.
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, fsync=False)


class HueyJobQueue:
    """`JobQueue` on huey. The task body is bound late: the runner needs the queue too."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._handler: Callable[[int], None] | None = None

        @huey.task(name="smsbridge.deliver")
        def deliver(item_id: int) -> None:
            assert self._handler is not None, "queue used before a runner was bound"
            self._handler(item_id)

        self._deliver = deliver
        self._timed_runs = ThreadPoolExecutor(max_workers=4, thread_name_prefix="timed-run")
        self._timer = DueTimer(self._run_now)
        self._timer.start()

    def close(self) -> None:
        """Stop the in-process timer; items it still held are found again by a sweep."""
        self._timer.stop()
        self._timed_runs.shutdown(wait=True)

    def _run_now(self, item_id: int) -> None:
        assert self._handler is not None, "queue used before a runner was bound"
        future = self._timed_runs.submit(self._handler, item_id)
        future.add_done_callback(_log_failure)

    def bind(self, handler: Callable[[int], None]) -> None:
        self._handler = handler

    def enqueue(self, item_id: int) -> None:
        self._deliver(item_id)

    def enqueue_at(self, item_id: int, eta: datetime) -> None:
        """Short delays (channel pacing) run on a precise in-process timer in this worker,
        skipping huey's polled queue so a paced post goes out on its slot; longer ones use
        huey's durable schedule. Either way, if this process dies the sweeper finds the item."""
        if eta - datetime.now(UTC) <= SHORT_DELAY:
            self._timer.add(eta, item_id)
        else:
            self._deliver.schedule(args=(item_id,), eta=eta.astimezone(UTC).replace(tzinfo=None))


SHORT_DELAY = timedelta(seconds=10)


def _log_failure(future: Future[None]) -> None:
    """Like a failed huey task: logged with its traceback; the item's lease expires and
    the sweeper runs it again."""
    error = future.exception()
    if error is not None:
        log.error("timed outbox run failed", exc_info=error)


class DueTimer(threading.Thread):
    """Calls `fire(item_id)` at each eta, to the millisecond (huey ticks once a second)."""

    def __init__(self, fire: Callable[[int], None]) -> None:
        super().__init__(name="due-timer", daemon=True)
        self.fire = fire
        self.heap: list[tuple[datetime, int]] = []
        self.wakeup = threading.Condition()
        self.stopped = False

    def stop(self) -> None:
        with self.wakeup:
            self.stopped = True
            self.wakeup.notify()

    def add(self, eta: datetime, item_id: int) -> None:
        with self.wakeup:
            heapq.heappush(self.heap, (eta, item_id))
            self.wakeup.notify()

    def run(self) -> None:
        while True:
            with self.wakeup:
                while not self.heap and not self.stopped:
                    self.wakeup.wait()
                if self.stopped:
                    return
                eta, item_id = self.heap[0]
                delay = (eta - datetime.now(UTC)).total_seconds()
                if delay > 0:
                    self.wakeup.wait(delay)
                    continue
                heapq.heappop(self.heap)
            self.fire(item_id)
