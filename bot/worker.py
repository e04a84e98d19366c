"""Workers: huey consumer threads plus the outbox sweeper, embedded in `serve` or alone."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence

from huey import Huey
from huey.consumer import Consumer
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from bot.services.outbox_runner import OutboxRunner

log = logging.getLogger(__name__)


class Sweeper(threading.Thread):
    """Every `interval` s, enqueue due outbox items no job is working on, and run the
    housekeeping `chores` (e.g. removing expired media files)."""

    def __init__(
        self, runner: OutboxRunner, interval: float, chores: Sequence[Callable[[], object]] = ()
    ) -> None:
        super().__init__(name="outbox-sweeper", daemon=True)
        self.runner = runner
        self.interval = interval
        self.chores = list(chores)
        self.stopped = threading.Event()

    def run(self) -> None:
        grace = 0.0  # at start-up, everything unleased and due is fair game
        while not self.stopped.is_set():
            try:
                swept = self.runner.sweep(grace=grace)
                for chore in self.chores:
                    chore()
            except (OperationalError, RedisError, ConnectionError, OSError) as exc:
                log.warning("sweep skipped, store or disk unreachable: %s", type(exc).__name__)
            else:
                if swept:
                    log.info("sweeper enqueued %d outbox items", swept)
            grace = self.interval * 2
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


class Worker:
    """Huey consumer threads and a sweeper in this process."""

    def __init__(
        self, huey: Huey, runner: OutboxRunner, *, threads: int, sweep_seconds: float,
        chores: Sequence[Callable[[], object]] = (),
    ):
        self.consumer: Consumer = huey.create_consumer(
            workers=threads, worker_type="thread", periodic=False, scheduler_interval=1,
            check_worker_health=True, initial_delay=0.01, backoff=1.5, max_delay=0.05,
        )
        self.sweeper = Sweeper(runner, sweep_seconds, chores)

    def start_embedded(self) -> None:
        """Start in the background of a serving process, leaving its signals alone."""
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.consumer.start()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        self.sweeper.start()

    def run_forever(self) -> None:
        """`smsbridge worker`: huey's own loop, which handles SIGINT/SIGTERM gracefully."""
        self.sweeper.start()
        self.consumer.run()

    def stop(self) -> None:
        self.sweeper.stop()
        self.consumer.stop(graceful=True)
