"""Routes under a PUBLIC_BASE_URL path prefix, signatures over the full URL, /healthz."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from storage.db import make_engine, make_session_factory
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    CUSTOMER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
)


@pytest.fixture
def prefixed_app(env: dict[str, str]) -> Iterator[AppUnderTest]:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    settings["PUBLIC_BASE_URL"] += "/sms"
    running = AppUnderTest(settings, int(env["_PORT"]))
    running.admin_setup()
    running.start()
    yield running
    running.stop()


def test_routes_hang_below_the_public_base_url_path(
    prefixed_app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app = prefixed_app
    assert app.url.endswith("/sms")
    assert requests.get(f"{app.url}/healthz", timeout=5).status_code == 200
    bare = app.url.removesuffix("/sms")
    assert requests.get(f"{bare}/healthz", timeout=5).status_code == 404

    thread = open_conversation(app, fake_slack, fake_twilio)
    ts = fake_slack.add_message(SUPPORT_CHANNEL, user=AGENT, text="hello", thread_ts=thread)["ts"]
    send_event(app.url, message_event(
        team_id=app.team_id, channel=SUPPORT_CHANNEL, user=AGENT, text="hello", ts=ts,
        thread_ts=thread))
    fake_twilio.wait_for(lambda: fake_twilio.created)
    callback = fake_twilio.created[0]["params"]["StatusCallback"]
    assert callback.startswith(f"{app.url}/twilio/status?m=")
    # the signature covers the query string: a callback signed without it is refused
    params = {"MessageSid": fake_twilio.created[0]["sid"], "MessageStatus": "delivered",
              "AccountSid": fake_twilio.account_sid}
    unsigned_query = fake_twilio.sign(callback.split("?")[0], params)
    forged = requests.post(callback, data=params,
                           headers={"X-Twilio-Signature": unsigned_query}, timeout=5)
    assert forged.status_code == 403
    assert fake_twilio.send_status(fake_twilio.created[0]["sid"], "delivered").status_code == 200


def test_status_callbacks_for_unknown_messages_are_404(
    app: AppUnderTest, fake_twilio: FakeTwilio
) -> None:
    response = fake_twilio.post_signed(
        f"{app.url}/twilio/status",
        {"MessageSid": "SM" + "ee" * 16, "MessageStatus": "delivered", "From": SUPPORT_NUMBER,
         "To": CUSTOMER},
    )
    assert response.status_code == 404
    missing = fake_twilio.post_signed(f"{app.url}/twilio/status", {"MessageSid": "SMx"})
    assert missing.status_code == 400


def test_healthz_reports_the_database(app: AppUnderTest) -> None:
    response = requests.get(f"{app.url}/healthz", timeout=5)
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}
    unreachable = make_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={
        "connect_timeout": 1})
    app.core.services.health.session_factory = make_session_factory(unreachable)
    response = requests.get(f"{app.url}/healthz", timeout=10)
    assert response.status_code == 503 and response.json()["database"] == "unreachable"
