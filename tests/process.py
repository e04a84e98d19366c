"""Driving the real `smsbridge` console script in subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

SMSBRIDGE = str(Path(sys.executable).parent / "smsbridge")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SMSBRIDGE, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )


class ServeProcess:
    """`smsbridge serve` on a fixed port, started, killed and restarted by a test."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, *args: str) -> None:
        self.env = {**os.environ, **env}
        self.port = port
        self.log_path = log_path
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.env["PUBLIC_BASE_URL"]

    def start(self, timeout: float = 30.0) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [SMSBRIDGE, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.log_path.read_text()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve did not come up:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class WorkerProcess:
    """`smsbridge worker`, alone."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [SMSBRIDGE, "worker"], env=self.env, stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # huey's graceful stop
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
