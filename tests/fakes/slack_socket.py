"""FakeSlack's Socket Mode side: the WebSocket server `apps.connections.open` points at.

Slack sends `hello`, then envelopes (`events_api`, `slash_commands`, `interactive`); the app
answers each with `{"envelope_id": ...}` within 3 s. Pings are answered by `websockets`.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class SocketModeServer:
    """A real WebSocket server on 127.0.0.1; records every connection and every ack."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self._lock = threading.Lock()
        self.connections: list[ServerConnection] = []
        #: Every JSON message a client sent (acks carry `envelope_id`).
        self.received: list[dict[str, Any]] = []
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="FakeSlack-socket-mode", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self.connections.append(connection)
        connection.send(json.dumps({
            "type": "hello", "num_connections": len(self.connections),
            "connection_info": {"app_id": self.app_id},
        }))
        try:
            for raw in connection:
                message = json.loads(raw)
                with self._lock:
                    self.received.append(message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self.connections.remove(connection)

    def open_connections(self) -> int:
        with self._lock:
            return len(self.connections)

    def send(self, payload: dict[str, Any], *, kind: str = "events_api") -> str:
        """Deliver `payload` (e.g. an event_callback body) in an envelope over the newest
        connection; returns the envelope id the app must ack."""
        envelope_id = str(uuid.uuid4())
        with self._lock:
            if not self.connections:
                raise RuntimeError("no Socket Mode connection is open")
            connection = self.connections[-1]
        connection.send(json.dumps({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
            "retry_reason": "",
        }))
        return envelope_id

    def acked(self, envelope_id: str) -> bool:
        with self._lock:
            return any(m.get("envelope_id") == envelope_id for m in self.received)

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
