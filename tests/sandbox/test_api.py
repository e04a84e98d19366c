"""The sandbox's JSON API end to end: the page's actions reach the real app through the
emulators, and what the app does comes back into the page's state."""

from __future__ import annotations

import base64
import json
from typing import Any

import requests

from bot.blocks import ids
from bot.sandbox.runtime import CONTACTS, NUMBERS
from bot.sandbox.screenshot import sample_png
from tests.sandbox.conftest import Page

CARLA, DEV, ERIN = (phone for phone, _, _ in CONTACTS)
SUPPORT, SALES = NUMBERS
ANN, MARIA = "U0ANN", "U0MARIA"


def text_in(page: Page, body: str, *, customer: str = CARLA, number: str = SUPPORT.e164,
            **extra: Any) -> dict[str, Any]:
    """The customer texts a business number; returns the thread root once it shows."""
    page.ok("/api/phone/text", {"from": customer, "to": number, "body": body, **extra})
    channel = next(n.channel_id for n in NUMBERS if n.e164 == number)

    def thread_with_it(state: dict[str, Any]) -> dict[str, Any] | None:
        return next((root for root in Page.threads(state, channel)
                     if any((body and body in r["text"]) or (r["files"] and not body)
                            for r in root["replies"])), None)

    root: dict[str, Any] = page.wait_for(thread_with_it, f"a thread showing {body!r}")
    return root


def phone_received(page: Page, customer: str, body: str) -> dict[str, Any]:
    def received(state: dict[str, Any]) -> dict[str, Any] | None:
        return next((m for m in state["phones"][customer]
                     if m["incoming"] and m["body"] == body), None)

    found: dict[str, Any] = page.wait_for(received, f"{customer} receiving {body!r}")
    return found


def test_page_and_seed(page: Page) -> None:
    html = requests.get(page.url + "/", timeout=10)
    assert html.status_code == 200 and "smsbridge sandbox" in html.text
    assert requests.get(page.url + "/static/sandbox.js", timeout=10).status_code == 200
    state = page.state()
    assert {c["id"] for c in state["channels"]} == {SUPPORT.channel_id, SALES.channel_id}
    assert sorted(m["role"] or "" for m in state["members"]) == ["", "", "admin", "manager"]
    assert [c["phone"] for c in state["customers"]] == [CARLA, DEV, ERIN]
    # The app itself answers under /app, on the same port.
    assert requests.get(f"{page.sandbox.app_url}/healthz", timeout=10).status_code == 200


def test_text_in_reply_and_delivery_states(page: Page) -> None:
    root = text_in(page, "Is my cake ready?")
    assert "Carla Customer" in root["text"], "the contact's name is on the card"
    assert page.state()["phones"][CARLA][0] == {
        **page.state()["phones"][CARLA][0], "incoming": False, "body": "Is my cake ready?",
        "number": SUPPORT.e164,
    }

    page.ok("/api/slack/say", {"user": ANN, "channel": SUPPORT.channel_id,
                               "thread_ts": root["ts"], "text": "Yes, come by at 3."})
    sms = phone_received(page, CARLA, "Yes, come by at 3.")
    assert sms["number"] == SUPPORT.e164, "the reply leaves from the number texted"

    def delivered(state: dict[str, Any]) -> bool:
        thread = next(t for t in Page.threads(state, SUPPORT.channel_id) if t["ts"] == root["ts"])
        reply = next(r for r in thread["replies"] if r["text"] == "Yes, come by at 3.")
        return bool(reply["reactions"] == ["white_check_mark"])

    page.wait_for(delivered, "the reply marked delivered by the status callbacks")
    assert page.sandbox.twilio.messages[sms["sid"]].status == "delivered"


def test_a_picture_reaches_slack(page: Page) -> None:
    png = sample_png()
    picture = {"type": "image/png", "data": base64.b64encode(png).decode()}
    root = text_in(page, "", picture=picture, customer=DEV, number=SALES.e164)
    files = [f for reply in root["replies"] for f in reply["files"]]
    assert [f["mimetype"] for f in files] == ["image/png"]
    served = requests.get(f"{page.url}/api/slack/files/{files[0]['id']}", timeout=10)
    assert served.content == png


def test_sms_command_texts_someone_new(page: Page) -> None:
    page.ok("/api/slack/command", {"user": ANN, "channel": SUPPORT.channel_id,
                                   "text": f"{ERIN} Your order shipped."})
    assert phone_received(page, ERIN, "Your order shipped.")["number"] == SUPPORT.e164
    notices = page.state()["notices"]
    assert any(n["user"] == ANN and "Erin Walsh" in n["text"] for n in notices), notices


def test_sms_window_search_pick_and_send(page: Page) -> None:
    page.ok("/api/slack/command", {"user": ANN, "channel": SUPPORT.channel_id, "text": ""})
    modal = page.state()["modal"]
    assert modal["user"] == ANN and modal["view"]["callback_id"] == ids.COMPOSE_VIEW

    options = page.ok("/api/slack/view/suggest", {
        "action_id": ids.COMPOSE_RECIPIENT, "block_id": ids.COMPOSE_RECIPIENT_BLOCK,
        "value": "Erin"})["options"]
    erin = next(o for o in options if "Erin Walsh" in o["text"]["text"])
    picked = {ids.COMPOSE_RECIPIENT_BLOCK: {ids.COMPOSE_RECIPIENT: {
        "type": "external_select", "selected_option": erin}}}
    page.ok("/api/slack/view/action", {"values": picked, "action": {
        "type": "external_select", "action_id": ids.COMPOSE_RECIPIENT,
        "block_id": ids.COMPOSE_RECIPIENT_BLOCK, "selected_option": erin}})
    view = page.state()["modal"]["view"]
    from_picker = next(b["element"] for b in view["blocks"]
                       if b.get("block_id") == ids.COMPOSE_FROM_BLOCK)
    assert from_picker["initial_option"]["text"]["text"].startswith("Support"), \
        "an SMS recipient brings the From picker, on the member's default number"

    values = {**picked, ids.COMPOSE_FROM_BLOCK: {ids.COMPOSE_FROM: {
        "type": "static_select", "selected_option": from_picker["initial_option"]}},
        ids.COMPOSE_MESSAGE_BLOCK: {ids.COMPOSE_MESSAGE: {
        "type": "plain_text_input", "value": "Your table is booked."}}}
    assert page.ok("/api/slack/view/submit", {"values": values}) == {"errors": {}}
    assert page.state()["modal"] is None
    assert phone_received(page, ERIN, "Your table is booked.")


def test_sms_window_field_errors_keep_it_open(page: Page) -> None:
    page.ok("/api/slack/command", {"user": ANN, "channel": SUPPORT.channel_id, "text": ""})
    errors = page.ok("/api/slack/view/submit", {"values": {}})["errors"]
    assert errors, "submitting with no recipient is refused"
    assert page.state()["modal"]["errors"] == errors


def test_add_a_contact_from_the_sms_window_and_back(page: Page) -> None:
    page.ok("/api/slack/command", {"user": ANN, "channel": SUPPORT.channel_id, "text": ""})
    compose = page.state()["modal"]["view"]
    page.ok("/api/slack/view/action", {"values": {}, "action": {
        "type": "button", "action_id": ids.COMPOSE_ADD_CONTACT, "block_id": "b"}})
    pushed = page.state()["modal"]["view"]
    assert pushed["callback_id"] == ids.CONTACT_VIEW, "the contact window covers the SMS one"
    late = page.post("/api/slack/view/action", {"view_id": compose["id"], "values": {},
                                                "action": {"type": "plain_text_input",
                                                           "action_id": ids.COMPOSE_MESSAGE,
                                                           "block_id": ids.COMPOSE_MESSAGE_BLOCK,
                                                           "value": "late"}})
    assert late.status_code == 400, "a refresh from the covered window is refused"
    assert page.state()["modal"]["view"]["id"] == pushed["id"]

    def field(block: str, value: str) -> dict[str, Any]:
        return {block: {ids.CONTACT_INPUT: {"type": "plain_text_input", "value": value}}}

    refused = page.ok("/api/slack/view/submit", {"values": field(ids.CONTACT_PHONE_BLOCK, "x")})
    assert ids.CONTACT_PHONE_BLOCK in refused["errors"]
    assert page.state()["modal"]["view"]["id"] == pushed["id"], "errors keep it open"
    saved = page.ok("/api/slack/view/submit", {"values": {
        **field(ids.CONTACT_PHONE_BLOCK, "+1 415 555 9900"), **field(ids.CONTACT_NAME_BLOCK,
                                                                     "Fay Fox")}})
    assert saved == {"errors": {}}
    assert page.state()["modal"]["view"]["id"] == compose["id"], "back on the SMS window"
    options = page.ok("/api/slack/view/suggest", {
        "action_id": ids.COMPOSE_RECIPIENT, "block_id": ids.COMPOSE_RECIPIENT_BLOCK,
        "value": "Fay"})["options"]
    assert any("Fay Fox" in o["text"]["text"] for o in options)
    page.ok("/api/slack/view/close", {})
    assert page.state()["modal"] is None


def test_escalate_from_the_card(page: Page) -> None:
    root = text_in(page, "I want a refund", customer=DEV)
    escalate = next(e for b in root["blocks"] if b["type"] == "actions"
                    for e in b["elements"] if e["action_id"] == ids.CARD_ESCALATE)
    page.ok("/api/slack/click", {"user": ANN, "channel": SUPPORT.channel_id, "ts": root["ts"],
                                 "action": {"type": "button", "action_id": ids.CARD_ESCALATE,
                                            "block_id": "card", "value": escalate["value"]}})
    modal = page.state()["modal"]
    assert modal["view"]["callback_id"] == ids.ESCALATE_VIEW
    values = {
        ids.ESCALATE_REASON_BLOCK: {ids.ESCALATE_REASON_INPUT: {
            "type": "plain_text_input", "value": "Asks for a refund over $500"}},
        ids.ESCALATE_URGENCY_BLOCK: {ids.ESCALATE_URGENCY_INPUT: {
            "type": "radio_buttons", "selected_option": {"value": "urgent"}}},
    }
    assert page.ok("/api/slack/view/submit", {"values": values}) == {"errors": {}}

    def manager_told(state: dict[str, Any]) -> bool:
        dms = [c for c in state["channels"] if c["is_im"] and c["name"] == "Maria Manager"]
        return any("refund over $500" in json.dumps(m["blocks"])
                   for c in dms for m in c["messages"])

    page.wait_for(manager_told, "the manager's DM with the escalation")


def test_bad_input_is_refused_with_a_reason(page: Page) -> None:
    wrong_number = page.post("/api/phone/text", {"from": CARLA, "to": "+15550001111",
                                                 "body": "hi"})
    assert wrong_number.status_code == 400
    assert "not one of the business numbers" in wrong_number.json()["error"]
    not_a_phone = page.post("/api/phone/text", {"from": "bob", "to": SUPPORT.e164, "body": "x"})
    assert not_a_phone.status_code == 400
    empty = page.post("/api/phone/text", {"from": CARLA, "to": SUPPORT.e164, "body": " "})
    assert empty.status_code == 400
    bad_picture = page.post("/api/phone/text", {"from": CARLA, "to": SUPPORT.e164, "body": "",
                                                "picture": {"type": "text/html", "data": "eA=="}})
    assert bad_picture.status_code == 400 and "picture" in bad_picture.json()["error"]
    stranger = page.post("/api/slack/say", {"user": "U0NOBODY", "channel": SUPPORT.channel_id,
                                            "text": "hi", "thread_ts": None})
    assert stranger.status_code == 400 and "not a member" in stranger.json()["error"]
    no_modal = page.post("/api/slack/view/submit", {"values": {}})
    assert no_modal.status_code == 400
    assert page.sandbox.twilio.messages == {}, "nothing reached Twilio"
