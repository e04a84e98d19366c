"""`smsbridge sandbox` as a newcomer runs it: a real subprocess serving the page, which
stops cleanly on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.harness import free_port
from tests.process import SMSBRIDGE


def test_sandbox_command_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "sandbox.log").open("wb")
    proc = subprocess.Popen(
        [SMSBRIDGE, "sandbox", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(),
    )
    try:
        deadline, state = time.monotonic() + 60, None
        while time.monotonic() < deadline and (
                state is None or "data:" not in (tmp_path / "sandbox.log").read_text()):
            assert proc.poll() is None, (tmp_path / "sandbox.log").read_text()
            with contextlib.suppress(requests.ConnectionError):  # not listening yet
                state = requests.get(f"http://127.0.0.1:{port}/api/state", timeout=2).json()
            time.sleep(0.2)
        assert state is not None, (tmp_path / "sandbox.log").read_text()
        assert [n["label"] for n in state["numbers"]] == ["Support", "Sales"]
        data_dir = Path(next(line.split()[1] for line in (tmp_path / "sandbox.log")
                             .read_text().splitlines() if line.strip().startswith("data:")))
        assert (data_dir / "smsbridge.db").exists(), "SQLite in a temporary data directory"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = (tmp_path / "sandbox.log").read_text()
    assert f"open http://127.0.0.1:{port}/" in output
    assert not data_dir.exists(), "the temporary data directory is removed on exit"
