"""Benchmarks: `python -m bench.run [--db sqlite|postgresql|both] [--seconds N]`.

Every figure is a ratio or a percentile measured in this one run on this machine:
- ack throughput of /twilio/messages and /slack/events (signed, durably committed)
  against a bare WSGI handler served by the same server, and p99 latency at half load;
- end-to-end latency webhook → fake Slack post at light load across 20 channels;
- drain of a 60-text burst into one channel against a fake Slack enforcing 1 post/s;
- peak RSS of the `smsbridge serve` process that served the last two.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from slack_sdk.signature import SignatureVerifier

from bench.load import closed_loop, median, open_loop, percentile
from bot.app import build_core, resolve_workspace
from bot.services.inbound import InboundText
from storage.db import make_engine
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import SIGNING_SECRET, app_env, free_port, message_event, settings_from
from tests.process import ServeProcess, cli

AGENT = "U0AGENT"
Row = tuple[str, str, str, str, str]


def bench_ack(database_url: str, workdir: Path, seconds: float) -> list[Row]:
    rows: list[Row] = []
    with FakeSlack() as slack, FakeTwilio() as twilio:
        slack.add_user(AGENT, "ann")
        slack.add_channel("C0BENCH", "bench", members=[slack.bot_user_id, AGENT])
        port = free_port()
        env = app_env(data_dir=workdir / "ack", database_url=database_url, slack=slack,
                      twilio=twilio, port=port)
        # set-up in this process: a number, and one conversation with a thread for replies
        core = build_core(settings_from(env))
        team = resolve_workspace(core)
        core.services.admin.add_number(team_id=team, number="+14155550100", channel_id="C0BENCH",
                                       label=None, messaging_service_sid=None, actor="bench")
        core.services.admin.assign(team_id=team, number="+14155550100", user_id=AGENT,
                                   default=True, actor="bench")
        core.services.inbound.receive(InboundText.from_form({
            "MessageSid": "SM" + uuid.uuid4().hex, "From": "+16505550000",
            "To": "+14155550100", "Body": "hello"}))
        core.runner.run(1)
        thread_ts = slack.messages_in("C0BENCH")[0]["ts"]
        core.queue.close()
        core.engine.dispose()
        server = subprocess.Popen([sys.executable, "-m", "bench.server", str(port)],
                                  env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = env["PUBLIC_BASE_URL"]
        _wait_healthy(base)

        def twilio_request(target: str) -> Callable[[requests.Session, int], int]:
            def send(session: requests.Session, n: int) -> int:
                params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": twilio.account_sid,
                          "From": f"+1650555{n % 10000:04d}", "To": "+14155550100",
                          "Body": f"bench {n}", "NumMedia": "0"}
                url = f"{base}/twilio/messages"
                headers = {"X-Twilio-Signature": twilio.sign(url, params)}
                return session.post(f"{base}{target}", data=params, headers=headers,
                                    timeout=30).status_code
            return send

        verifier = SignatureVerifier(SIGNING_SECRET)

        def slack_request(target: str) -> Callable[[requests.Session, int], int]:
            def send(session: requests.Session, n: int) -> int:
                ts = f"{int(time.time())}.{n:06d}"
                body = json.dumps(message_event(team_id=team, channel="C0BENCH", user=AGENT,
                                                text=f"reply {n}", ts=ts, thread_ts=thread_ts))
                stamp = str(int(time.time()))
                headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                           "X-Slack-Signature": verifier.generate_signature(timestamp=stamp,
                                                                            body=body)}
                return session.post(f"{base}{target}", data=body, headers=headers,
                                    timeout=30).status_code
            return send

        for name, route, make in (("/twilio/messages", "/twilio/messages", twilio_request),
                                  ("/slack/events", "/slack/events", slack_request)):
            app = closed_loop(make(route), threads=8, seconds=seconds)
            bare = closed_loop(make("/bare"), threads=8, seconds=seconds)
            ratio = app.rps / bare.rps
            rows.append((name, "ack throughput (req/s)", f"{app.rps:.0f}", f"{bare.rps:.0f}",
                         f"{ratio:.2f} (target ≥ 0.25) {'ok' if ratio >= 0.25 else 'MISSED'}"))
            if app.errors:
                rows.append((name, "errors during throughput run", str(app.errors), "-", "-"))
            latencies = open_loop(make(route), rate=app.rps / 2, seconds=seconds)
            p99 = percentile(latencies, 0.99) * 1000
            rows.append((name, "p99 at half load (ms)", f"{p99:.1f}",
                         f"p50 {median(latencies) * 1000:.1f}",
                         f"target ≤ 10 {'ok' if p99 <= 10 else 'MISSED'}"))
        server.terminate()
        server.wait()
    return rows


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("bench server did not start")


def bench_serve(database_url: str, workdir: Path) -> list[Row]:
    """End-to-end latency, the 60-text drain and peak RSS, against `smsbridge serve`."""
    rows: list[Row] = []
    with FakeSlack() as slack, FakeTwilio() as twilio:
        slack.add_user(AGENT, "ann")
        port = free_port()
        env = app_env(data_dir=workdir / "serve", database_url=database_url, slack=slack,
                      twilio=twilio, port=port)
        for key in ("SMSBRIDGE_SLACK_POST_INTERVAL", "SMSBRIDGE_LEASE_SECONDS",
                    "SMSBRIDGE_SWEEP_SECONDS", "SMSBRIDGE_WORKERS"):
            env.pop(key)  # production defaults
        numbers = [f"+1415555{3000 + i}" for i in range(20)]
        for i, number in enumerate(numbers):
            channel = f"C0E2E{i:02d}"
            slack.add_channel(channel, channel.lower(), members=[slack.bot_user_id, AGENT])
            assert cli(env, "numbers", "add", number, "--channel", channel).returncode == 0
        serve = ServeProcess(env, port, workdir / "serve.log")
        serve.start()
        url = f"{serve.url}/twilio/messages"
        try:
            # end to end at light load: 4 texts/s over 20 channels, into existing threads
            for i, number in enumerate(numbers):
                twilio.send_inbound(url, from_=f"+1650555{i:04d}", to=number, body="opening")
            slack.wait_for(lambda: sum(1 for c in slack.calls_to("chat.postMessage")
                                       if c.params.get("text") == "opening") >= 20, timeout=60)
            time.sleep(1.2)
            sent: dict[str, float] = {}
            for n in range(60):
                body = f"e2e {n}"
                sent[body] = time.time()
                twilio.send_inbound(url, from_=f"+1650555{n % 20:04d}", to=numbers[n % 20],
                                    body=body)
                time.sleep(0.25)
            slack.wait_for(lambda: sum(1 for c in slack.calls_to("chat.postMessage")
                                       if str(c.params.get("text", "")).startswith("e2e ")) >= 60,
                           timeout=60)
            latencies = [c.wall - sent[c.params["text"]] for c in slack.calls_to("chat.postMessage")
                         if str(c.params.get("text", "")).startswith("e2e ")]
            rows.append(("webhook → Slack post", "latency at 4 texts/s, 20 channels (ms)",
                         f"p50 {median(latencies) * 1000:.0f}",
                         f"p99 {percentile(latencies, 0.99) * 1000:.0f}", "-"))
            # drain: 60 texts at once into one existing thread, Slack enforcing 1 post/s
            burst_number, channel = numbers[0], "C0E2E00"
            time.sleep(1.2)
            slack.enforce_channel_rate(1.0)
            start = time.time()
            for n in range(60):
                twilio.send_inbound(url, from_="+16505550000", to=burst_number, body=f"burst {n}")

            def burst_posts() -> list:
                return [c for c in slack.calls_to("chat.postMessage")
                        if str(c.params.get("text", "")).startswith("burst ") and c.ok]

            slack.wait_for(lambda: len(burst_posts()) >= 60, timeout=180, interval=0.5)
            drain = max(c.wall for c in burst_posts()) - start
            limited = slack.rate_limited[channel]
            attempts = len([c for c in slack.calls_to("chat.postMessage")
                            if str(c.params.get("text", "")).startswith("burst ")])
            ratio = drain / 60
            rows.append(("60-text burst, 1 post/s", "drain time / 60 s", f"{drain:.1f} s", "60 s",
                         f"{ratio:.3f} (target ≤ 1.05) {'ok' if ratio <= 1.05 else 'MISSED'}"))
            share = limited / max(1, attempts)
            rows.append(("60-text burst, 1 post/s", "posts answered 429", str(limited),
                         f"of {attempts}", f"{share:.1%} (target < 1%) "
                         f"{'ok' if share < 0.01 else 'MISSED'}"))
            assert serve.proc is not None
            status = Path(f"/proc/{serve.proc.pid}/status").read_text()
            peak = next(line.split()[1] for line in status.splitlines()
                        if line.startswith("VmHWM"))
            rows.append(("smsbridge serve", "peak RSS under that load", f"{int(peak) // 1024} MiB",
                         "-", "-"))
        finally:
            serve.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput measurement")
    args = parser.parse_args(argv)
    pg = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    table: list[tuple[str, Row]] = []
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            for part in (bench_ack, bench_serve):
                if db == "sqlite":
                    url = f"sqlite:///{workdir / (part.__name__ + '.db')}"
                else:
                    url = _fresh_pg_schema(pg)
                kwargs: dict[str, Any] = {"seconds": args.seconds} if part is bench_ack else {}
                try:
                    for row in part(url, workdir, **kwargs):
                        table.append((db, row))
                        print(f"{db:10} | " + " | ".join(row), flush=True)
                finally:
                    if db == "postgresql":
                        _drop_pg_schema(pg, url)
    print()
    print("| db | what | measure | app | reference | ratio / target |")
    print("|---|---|---|---|---|---|")
    for db, row in table:
        print(f"| {db} | " + " | ".join(row) + " |")
    return 0


def _drop_pg_schema(base: str, url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    engine = make_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


def _fresh_pg_schema(base: str) -> str:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    sys.exit(main())
