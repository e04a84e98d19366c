"""The sandbox as `smsbridge sandbox` runs it, in-process on a free port, with a JSON client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.sandbox.runtime import Sandbox


class Page:
    """The sandbox page's JSON API, as its JavaScript calls it."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.url = f"http://127.0.0.1:{sandbox.port}"

    def state(self) -> dict[str, Any]:
        response = requests.get(f"{self.url}/api/state", timeout=15)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body, timeout=30)

    def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_for(self, predicate: Callable[[dict[str, Any]], Any], what: str) -> Any:
        """Poll the page's state until `predicate(state)` is truthy; returns its value."""
        return self.sandbox.slack.wait_for(lambda: predicate(self.state()), timeout=20,
                                           message=what)

    # -- reading the state ------------------------------------------------------------

    @staticmethod
    def channel(state: dict[str, Any], channel_id: str) -> dict[str, Any]:
        return next(c for c in state["channels"] if c["id"] == channel_id)

    @classmethod
    def threads(cls, state: dict[str, Any], channel_id: str) -> list[dict[str, Any]]:
        return [m for m in cls.channel(state, channel_id)["messages"] if m["replies"]]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    running = Sandbox(data_dir=tmp_path / "data", port=0).start()
    yield running
    running.stop()


@pytest.fixture
def page(sandbox: Sandbox) -> Page:
    return Page(sandbox)
