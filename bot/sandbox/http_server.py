"""Shared plumbing of the local Slack and Twilio emulators (sandbox and tests): a werkzeug
server in a daemon thread, with hooks tests use to hang calls and poll for effects."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

__all__ = ["EmulatorServer", "HangQueue", "json_response"]


class _QuietRequestHandler(WSGIRequestHandler):
    """Request handler that does not log every request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the per-request access log line."""


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response with the given status and extra headers."""
    return Response(
        json.dumps(payload), status=status, headers=headers, mimetype="application/json"
    )


@dataclass
class _Hang:
    record: bool
    release: threading.Event
    remaining: int


@dataclass
class HangQueue:
    """Pending "hang the next call" requests, keyed by an operation name."""

    pending: dict[str, list[_Hang]] = field(default_factory=dict)

    def add(self, key: str, *, record: bool, times: int) -> threading.Event:
        """Queue a hang for the next `times` calls of `key`; returns the release event."""
        if times < 1:
            raise ValueError("times must be >= 1")
        release = threading.Event()
        self.pending.setdefault(key, []).append(_Hang(record, release, times))
        return release

    def take(self, key: str) -> tuple[bool, threading.Event] | None:
        """Consume one hang for `key`, if any: (record, release event)."""
        queue = self.pending.get(key)
        if not queue:
            return None
        hang = queue[0]
        hang.remaining -= 1
        if hang.remaining <= 0:
            queue.pop(0)
        return hang.record, hang.release


class EmulatorServer:
    """Base class of the fakes: server thread, start/stop, hangs and `wait_for`.

    Subclasses implement `dispatch(request) -> Response`.  `self._lock` guards
    all state; handlers hold it while they touch state and never while hung.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._releases: list[threading.Event] = []
        self._hung_count = 0
        self._hangs = HangQueue()
        #: Set while at least one request is being held by a hang.
        self.hung = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on (after start())."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietRequestHandler
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release every hung request and shut the server down."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        with self._lock:
            releases = list(self._releases)
        for release in releases:
            release.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request plumbing --------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Answer one request (implemented by subclasses)."""
        raise NotImplementedError

    def _wsgi(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.get_data(cache=True)  # always drain the body; form parsing reuses it
        response = self.dispatch(request)
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _hang(self, release: threading.Event) -> bool:
        """Block until `release` is set (True) or the server stops (False)."""
        with self._lock:
            self._releases.append(release)
            self._hung_count += 1
            self.hung.set()
        try:
            while not release.wait(0.05):
                if self._stopping.is_set():
                    break
            return not self._stopping.is_set()
        finally:
            with self._lock:
                self._hung_count -= 1
                if release in self._releases:
                    self._releases.remove(release)
                if self._hung_count == 0:
                    self.hung.clear()

    # -- test helpers ------------------------------------------------------------------

    def wait_for(
        self,
        predicate: Callable[[], object],
        timeout: float = 10.0,
        *,
        interval: float = 0.02,
        message: str | None = None,
    ) -> Any:
        """Poll `predicate` until it returns a truthy value (returned) or raise AssertionError."""
        deadline = time.monotonic() + timeout
        last: object = None
        while True:
            last = predicate()
            if last:
                return last
            if time.monotonic() >= deadline:
                name = getattr(predicate, "__name__", repr(predicate))
                what = message or f"predicate {name}"
                raise AssertionError(
                    f"{type(self).__name__}: {what} still false after {timeout:.1f}s "
                    f"(last value: {last!r}); {self.describe()}"
                )
            time.sleep(interval)

    def describe(self) -> str:
        """One-line summary of the fake's state, used in wait_for failures."""
        return ""
