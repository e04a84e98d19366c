"""Load generation for the benchmarks: closed-loop throughput and open-loop latency."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

Request = Callable[[requests.Session, int], int]  # (session, sequence number) -> HTTP status


@dataclass(frozen=True)
class Throughput:
    requests: int
    seconds: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def closed_loop(send: Request, *, threads: int, seconds: float) -> Throughput:
    """As many requests as `threads` clients can push for `seconds`."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    done = errors = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal done, errors
        session = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                n = next(counter)
            status = send(session, n)
            with lock:
                done += 1
                errors += status >= 300
    start = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Throughput(done, time.monotonic() - start, errors)


def open_loop(send: Request, *, rate: float, seconds: float, threads: int = 16) -> list[float]:
    """Requests at a fixed `rate` (per second); returns each one's latency in seconds."""
    total = int(rate * seconds)
    start = time.monotonic() + 0.05
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            began = time.monotonic()
            send(session, n)
            with lock:
                latencies.append(time.monotonic() - began)
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
