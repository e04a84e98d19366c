"""SLACK_APP_TOKEN: Slack's events come over the websocket the app opens (apps.connections.open
on the fake Slack); Twilio still reaches the app over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
def socket_app(env: dict[str, str], fake_slack: FakeSlack) -> Iterator[AppUnderTest]:
    settings_env = {k: v for k, v in env.items() if not k.startswith("_")}
    settings_env["SLACK_APP_TOKEN"] = fake_slack.app_token
    del settings_env["SLACK_SIGNING_SECRET"]  # Socket Mode requests carry no signature
    app = AppUnderTest(settings_env, int(env["_PORT"]))
    app.admin_setup()
    app.start(with_worker=True)
    try:
        yield app
    finally:
        app.stop()


def test_a_thread_reply_over_the_websocket_becomes_an_sms_and_is_acked(
    socket_app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    opened = fake_slack.wait_for(lambda: fake_slack.calls_to("apps.connections.open"))
    assert opened[0].token == fake_slack.app_token
    socket = fake_slack.socket_mode
    fake_slack.wait_for(lambda: socket.open_connections() == 1)
    thread = open_conversation(socket_app, fake_slack, fake_twilio)  # Twilio: over HTTP
    ts = fake_slack.add_message(SUPPORT_CHANNEL, user=AGENT, text="On its way",
                                thread_ts=thread)["ts"]
    reply = message_event(team_id=fake_slack.team_id, channel=SUPPORT_CHANNEL, user=AGENT,
                          text="On its way", ts=ts, thread_ts=thread)
    envelope_id = socket.send(reply)
    sent = fake_twilio.wait_for(lambda: fake_twilio.created)
    assert [(m["params"]["From"], m["params"]["To"], m["params"]["Body"]) for m in sent] == [
        (SUPPORT_NUMBER, CUSTOMER, "On its way")
    ]
    fake_slack.wait_for(lambda: socket.acked(envelope_id))
    # no HTTP route for Slack: without a signing secret it could not tell a forgery
    assert send_event(socket_app.url, reply, secret="forged").status_code == 404
