"""The sandbox's Twilio emulator as the official client sees it: create, list, fetch,
credentials checked, and the status callbacks it sends, signed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from waitress import wasyncore
from waitress.server import create_server

from bot.gateways.twilio import BaseUrlHttpClient
from bot.sandbox.twilio_api import TwilioEmulator
from tests.harness import free_port


@pytest.fixture
def twilio() -> Iterator[TwilioEmulator]:
    with TwilioEmulator() as emulator:
        yield emulator


def client(twilio: TwilioEmulator, token: str | None = None) -> Client:
    return Client(twilio.account_sid, token or twilio.auth_token,
                  http_client=BaseUrlHttpClient(twilio.url, timeout=10))


def test_create_list_fetch(twilio: TwilioEmulator) -> None:
    api = client(twilio)
    created = api.messages.create(to="+14155552671", from_="+14155550100", body="hello")
    assert created.status == "queued" and created.sid.startswith("SM")
    other = api.messages.create(to="+14155553344", from_="+14155550100", body="other")
    listed = list(api.messages.stream(to="+14155552671", page_size=50))
    assert [m.sid for m in listed] == [created.sid]
    assert listed[0].date_created is not None and listed[0].body == "hello"
    assert api.messages(other.sid).fetch().to == "+14155553344"


def test_refuses_wrong_credentials_and_empty_messages(twilio: TwilioEmulator) -> None:
    with pytest.raises(TwilioRestException) as wrong:
        client(twilio, token="nope").messages.create(to="+14155552671",
                                                     from_="+14155550100", body="x")
    assert wrong.value.status == 401
    with pytest.raises(TwilioRestException) as empty:
        client(twilio).messages.create(to="+14155552671", from_="+14155550100", body="")
    assert empty.value.status == 400
    assert twilio.messages == {}


def test_status_callbacks_are_signed_and_in_order(twilio: TwilioEmulator) -> None:
    received: list[dict[str, Any]] = []
    web = Flask("callbacks")
    port = free_port()
    url = f"http://127.0.0.1:{port}/status"
    validator = RequestValidator(twilio.auth_token)

    @web.post("/status")
    def status() -> str:
        received.append({"valid": validator.validate(
            url, request.form.to_dict(), request.headers.get("X-Twilio-Signature", "")),
            **request.form.to_dict()})
        return ""

    server = create_server(web, host="127.0.0.1", port=port, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        sent = client(twilio).messages.create(
            to="+14155552671", from_="+14155550100", body="hi", status_callback=url)
        twilio.wait_for(lambda: len(received) == 2, message="two status callbacks")
    finally:  # closed from inside waitress's loop, as tests/harness.py does
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)
    assert [(r["MessageSid"], r["MessageStatus"], r["valid"]) for r in received] == [
        (sent.sid, "sent", True), (sent.sid, "delivered", True)]
    assert twilio.messages[sent.sid].status == "delivered"
