"""FakeSlack is the sandbox's Slack emulator (bot/sandbox/slack_api.py), under its test name,
plus the Socket Mode WebSocket server the tests need (websockets is a dev dependency)."""

from __future__ import annotations

from bot.sandbox.slack_api import Call, Channel, Message, SlackEmulator

from .slack_socket import SocketModeServer

__all__ = ["Call", "Channel", "FakeSlack", "Message"]


class FakeSlack(SlackEmulator):
    """The emulator with Socket Mode: apps.connections.open points at a real WebSocket."""

    def __init__(self, *, seed: int = 0) -> None:
        self._socket: SocketModeServer | None = None
        super().__init__(seed=seed)

    @property
    def socket_mode(self) -> SocketModeServer:
        """The Socket Mode server apps.connections.open points at (started on first use)."""
        with self._lock:
            return self._socket_server()

    def socket_url(self) -> str:
        return self._socket_server().url

    def _socket_server(self) -> SocketModeServer:
        if self._socket is None:  # the lock is held by the caller
            self._socket = SocketModeServer(self.app_id)
        return self._socket

    def stop(self) -> None:
        with self._lock:
            socket, self._socket = self._socket, None
        if socket is not None:
            socket.stop()
        super().stop()
