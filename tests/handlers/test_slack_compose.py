"""The New message window and /sms through the real Bolt app, signed, against fake Slack."""

from __future__ import annotations

from typing import Any

import pytest

from bot.blocks import ids
from storage.repositories import numbers
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    ADMIN,
    AGENT,
    CUSTOMER,
    MANAGER,
    OTHER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    top_level,
)
from tests.slack_payloads import block_action, shortcut, slash, submit, suggestion, with_state

SECOND_CUSTOMER = "+14155552672"


def open_compose(app: AppUnderTest, slack: FakeSlack, *, user: str = AGENT) -> dict[str, Any]:
    before = len(slack.views)
    response = shortcut(app, ids.NEW_MESSAGE_SHORTCUT, user=user)
    assert response.status_code == 200, response.text
    opened = slack.views[before:]
    assert [v["method"] for v in opened] == ["views.open"]
    return opened[0]["view"]


def options_for(app: AppUnderTest, view: dict[str, Any], text: str, *, user: str = AGENT):
    response = suggestion(
        app, user=user, action_id=ids.COMPOSE_RECIPIENT, block_id=ids.COMPOSE_RECIPIENT_BLOCK,
        value=text, view=view,
    )
    assert response.status_code == 200, response.text
    return response.json()["options"]


def state(
    recipient: dict[str, Any] | None = None, *, text: str = "", number: str | None = None,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        ids.COMPOSE_RECIPIENT_BLOCK: {ids.COMPOSE_RECIPIENT: {
            "type": "external_select", "selected_option": recipient,
        }},
        ids.COMPOSE_MESSAGE_BLOCK: {ids.COMPOSE_MESSAGE: {
            "type": "plain_text_input", "value": text or None,
        }},
    }
    if number is not None:
        values[ids.COMPOSE_FROM_BLOCK] = {ids.COMPOSE_FROM: {
            "type": "static_select", "selected_option": {"text": {}, "value": number},
        }}
    if files is not None:
        values[ids.COMPOSE_FILES_BLOCK] = {ids.COMPOSE_FILES: {"type": "file_input",
                                                              "files": files}}
    return values


def choose(app: AppUnderTest, slack: FakeSlack, view: dict[str, Any], option: dict[str, Any],
           *, user: str = AGENT) -> dict[str, Any]:
    """Pick a recipient: the listener updates the window (From picker shown or not)."""
    before = len(slack.views)
    response = block_action(
        app, user=user, block_id=ids.COMPOSE_RECIPIENT_BLOCK, view=with_state(view, state(option)),
        action={"action_id": ids.COMPOSE_RECIPIENT, "type": "external_select",
                "selected_option": option},
    )
    assert response.status_code == 200, response.text
    (updated,) = slack.views[before:]
    assert updated["method"] == "views.update" and updated["view_id"] == view["id"]
    return updated["view"]


def block(view: dict[str, Any], block_id: str) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def test_picker_marks_members_managers_and_contacts(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app.core.services.contacts.save(
        team_id=app.team_id, actor=AGENT, contact_id=None,
        fields={"phone": CUSTOMER, "name": "Annika Customer"},
    )
    view = open_compose(app, fake_slack)
    texts = [o["text"]["text"] for o in options_for(app, view, "an")]
    assert texts == ["🟤 ann · chat", "🔵 Annika Customer · +1 415-555-2671"]
    assert [o["text"]["text"] for o in options_for(app, view, "MAR")] == ["⚪ maria · chat"]
    typed = options_for(app, view, "+1 415 555 0123")
    assert typed[0]["text"]["text"] == "📱 Text +1 415-555-0123"
    assert typed[0]["value"] == "p:+14155550123"
    by_digits = options_for(app, view, "415 555 26")
    assert [o["text"]["text"] for o in by_digits] == ["🔵 Annika Customer · +1 415-555-2671"]
    # bots and deleted people are never offered
    fake_slack.add_user("U0GONE", "anna", deleted=True)
    app.core.services.directory.sync(team_id=app.team_id)
    assert "anna" not in str(options_for(app, view, "an"))
    assert options_for(app, view, "smsbridge") == []


def test_from_picker_only_for_external_recipients_default_first(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    app.core.services.admin.assign(
        team_id=app.team_id, number="+14155550199", user_id=AGENT, default=False, actor="t"
    )
    view = open_compose(app, fake_slack)
    assert block(view, ids.COMPOSE_FROM_BLOCK) is None
    customer = options_for(app, view, CUSTOMER)[0]
    updated = choose(app, fake_slack, view, customer)
    picker = block(updated, ids.COMPOSE_FROM_BLOCK)
    assert picker is not None
    labels = [o["text"]["text"] for o in picker["element"]["options"]]
    assert labels == ["Support (+1 415-555-0100) · default", "Sales (+1 415-555-0199)"]
    assert picker["element"]["initial_option"]["text"]["text"].startswith("Support")
    assert block(updated, ids.COMPOSE_FILES_BLOCK) is not None
    coworker = options_for(app, view, "otto")[0]
    back = choose(app, fake_slack, updated, coworker)
    assert block(back, ids.COMPOSE_FROM_BLOCK) is None
    assert block(back, ids.COMPOSE_RECIPIENT_BLOCK)["element"]["initial_option"] == coworker


def test_sender_without_numbers_is_told_whom_to_ask(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    view = open_compose(app, fake_slack, user=OTHER)
    customer = options_for(app, view, CUSTOMER, user=OTHER)[0]
    updated = choose(app, fake_slack, view, customer, user=OTHER)
    assert block(updated, ids.COMPOSE_FROM_BLOCK) is None
    notice = block(updated, ids.COMPOSE_NO_NUMBER_BLOCK)
    assert notice is not None
    assert "set up by an administrator" in notice["text"]["text"]
    assert "adam" in notice["text"]["text"]
    response = submit(app, user=OTHER, view=with_state(updated, state(customer, text="Hi")))
    assert response.json()["response_action"] == "errors"
    assert "adam" in response.json()["errors"][ids.COMPOSE_RECIPIENT_BLOCK]


def test_counter_follows_the_text(app: AppUnderTest, fake_slack: FakeSlack) -> None:
    view = open_compose(app, fake_slack)
    counter = block(view, ids.COMPOSE_COUNTER_BLOCK)["elements"][0]["text"]
    assert counter == "0 characters · 1 segment · GSM-7"
    text = "Olá! " * 20  # 100 characters, Unicode: 2 segments
    before = len(fake_slack.views)
    response = block_action(
        app, user=AGENT, block_id=ids.COMPOSE_MESSAGE_BLOCK,
        view=with_state(view, state(text=text)),
        action={"action_id": ids.COMPOSE_MESSAGE, "type": "plain_text_input", "value": text},
    )
    assert response.status_code == 200
    (updated,) = fake_slack.views[before:]
    counter = block(updated["view"], ids.COMPOSE_COUNTER_BLOCK)["elements"][0]["text"]
    assert counter == "100 characters · 2 segments · Unicode"
    message = block(updated["view"], ids.COMPOSE_MESSAGE_BLOCK)["element"]
    assert "initial_value" not in message  # Slack keeps what is being typed


def test_external_send_texts_from_the_chosen_number_and_opens_the_thread(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    view = open_compose(app, fake_slack)
    customer = options_for(app, view, CUSTOMER)[0]
    updated = choose(app, fake_slack, view, customer)
    number_id = block(updated, ids.COMPOSE_FROM_BLOCK)["element"]["initial_option"]["value"]
    response = submit(app, user=AGENT, view=with_state(
        updated, state(customer, text="Your order <#1> is ready", number=number_id)
    ))
    assert response.status_code == 200 and response.text == ""
    fake_twilio.wait_for(lambda: fake_twilio.created)
    (sent,) = fake_twilio.created
    assert (sent["params"]["From"], sent["params"]["To"]) == (SUPPORT_NUMBER, CUSTOMER)
    assert sent["params"]["Body"] == "Your order <#1> is ready"
    roots = fake_slack.wait_for(lambda: top_level(fake_slack, SUPPORT_CHANNEL))
    root = roots[0]
    thread = fake_slack.wait_for(lambda: fake_slack.thread(SUPPORT_CHANNEL, root["ts"]))
    assert thread[-1]["text"] == f"📱 <@{AGENT}> texted: Your order &lt;#1&gt; is ready"
    # no channel to answer in (a shortcut): the confirmation is a DM with the thread's link
    dm = fake_slack.wait_for(lambda: fake_slack.dm_channel(AGENT))
    confirmation = fake_slack.wait_for(lambda: fake_slack.messages_in(dm))
    assert "Open the conversation" in confirmation[0]["text"]
    assert SUPPORT_CHANNEL in confirmation[0]["text"]
    # the echo carries the delivery state, and a reply in the thread goes to the same person
    sid = sent["sid"]
    fake_twilio.send_status(sid, "delivered")
    fake_slack.wait_for(lambda: "white_check_mark" in (
        fake_slack.message(SUPPORT_CHANNEL, thread[-1]["ts"]) or {}).get("reactions", {}))


def test_refusals_show_on_the_field(app: AppUnderTest, fake_slack: FakeSlack,
                                    fake_twilio: FakeTwilio) -> None:
    view = open_compose(app, fake_slack)
    customer = options_for(app, view, CUSTOMER)[0]
    updated = choose(app, fake_slack, view, customer)
    support = block(updated, ids.COMPOSE_FROM_BLOCK)["element"]["initial_option"]["value"]
    cases = [
        (state(customer, text="x" * 1601, number=support), ids.COMPOSE_MESSAGE_BLOCK, "1600"),
        (state(customer, text="  ", number=support), ids.COMPOSE_MESSAGE_BLOCK, "Write"),
        (state(None, text="hi"), ids.COMPOSE_RECIPIENT_BLOCK, "Choose"),
        (state(customer, text="hi", number=support, files=[
            {"id": "F1", "name": "tool.exe", "mimetype": "application/x-msdownload",
             "size": 10, "url_private_download": "https://files.example/F1"}]),
         ids.COMPOSE_FILES_BLOCK, "Accepted types"),
        (state(customer, text="hi", number=support, files=[{"id": f"F{i}"} for i in range(11)]),
         ids.COMPOSE_FILES_BLOCK, "At most 10"),
    ]
    for values, field, words in cases:
        response = submit(app, user=AGENT, view=with_state(updated, values))
        answer = response.json()
        assert answer["response_action"] == "errors", answer
        assert words in answer["errors"][field], answer
    # a number not assigned to the sender (Sales) is refused on the From field
    with app.core.session_factory.begin() as session:
        sales_id = numbers.by_e164(session, "+14155550199").id
    response = submit(app, user=AGENT, view=with_state(
        updated, state(customer, text="hi", number=str(sales_id))
    ))
    assert "isn't assigned to you" in response.json()["errors"][ids.COMPOSE_FROM_BLOCK]
    # a customer who texted STOP is refused on the recipient field, saying so
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER,
                             to="+14155550100", body="STOP")
    response = submit(app, user=AGENT, view=with_state(
        updated, state(customer, text="hi", number=support)))
    assert "opted out" in response.json()["errors"][ids.COMPOSE_RECIPIENT_BLOCK]
    assert fake_twilio.created == []


def test_files_from_the_window_go_out_as_one_mms(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    view = open_compose(app, fake_slack)
    customer = options_for(app, view, CUSTOMER)[0]
    updated = choose(app, fake_slack, view, customer)
    support = block(updated, ids.COMPOSE_FROM_BLOCK)["element"]["initial_option"]["value"]
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    file = fake_slack.add_file("F0PHOTO", "map.png", "image/png", photo)
    response = submit(app, user=AGENT, view=with_state(
        updated, state(customer, text="Here is the map", number=support, files=[file])))
    assert response.status_code == 200 and response.text == "", response.text
    (sent,) = fake_twilio.wait_for(lambda: fake_twilio.created)
    assert sent["params"]["Body"] == "Here is the map"
    assert len(sent["media_urls"]) == 1 and sent["media_urls"][0].startswith(f"{app.url}/media/")
    (fetched,) = fake_twilio.fetch_media(sent["sid"])
    assert fetched.content == photo and fetched.headers["Content-Type"] == "image/png"


def test_internal_send_is_a_dm_from_the_app_naming_the_sender(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    view = open_compose(app, fake_slack, user=OTHER)
    coworker = options_for(app, view, "ann", user=OTHER)[0]
    assert coworker["value"] == f"m:{AGENT}"
    response = submit(app, user=OTHER, view=with_state(view, state(coworker, text="Lunch <3?")))
    assert response.status_code == 200 and response.text == ""
    dm = fake_slack.wait_for(lambda: fake_slack.dm_channel(AGENT))
    (message,) = fake_slack.wait_for(lambda: fake_slack.messages_in(dm))
    assert message["text"] == f"💬 <@{OTHER}> sent you a message: Lunch &lt;3?"
    assert f"slack://user?team={app.team_id}&id={OTHER}" in str(message["blocks"])
    assert fake_twilio.created == []


def test_slash_help(app: AppUnderTest) -> None:
    response = slash(app, "help", user=AGENT)
    assert response.status_code == 200
    assert "/sms +1 555 123 4567" in response.text


def test_slash_alone_opens_the_window(app: AppUnderTest, fake_slack: FakeSlack) -> None:
    assert slash(app, "", user=AGENT).status_code == 200
    assert fake_slack.views[-1]["method"] == "views.open"
    assert fake_slack.views[-1]["view"]["callback_id"] == ids.COMPOSE_VIEW


def test_slash_with_a_number_texts_from_the_default_number(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    response = slash(app, "+1 415 555 2671 Your table is ready", user=AGENT)
    assert "Texting" in response.text
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert fake_twilio.created[0]["params"]["From"] == SUPPORT_NUMBER
    assert fake_twilio.created[0]["params"]["To"] == CUSTOMER
    assert fake_twilio.created[0]["params"]["Body"] == "Your table is ready"
    # composed in a channel: the confirmation is ephemeral there, with the thread's link
    confirmation = fake_slack.wait_for(lambda: [
        e for e in fake_slack.ephemerals if "Open the conversation" in e["text"]
    ])
    assert confirmation[0]["user"] == AGENT and confirmation[0]["channel"] == SUPPORT_CHANNEL


def test_slash_refuses_a_customer_who_opted_out(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER,
                             body="stop")
    response = slash(app, "+1 415 555 2671 One more offer!", user=AGENT)
    assert "opted out" in response.text and "STOP" in response.text
    assert fake_twilio.created == []


def test_slash_with_a_name(app: AppUnderTest, fake_slack: FakeSlack,
                           fake_twilio: FakeTwilio) -> None:
    app.core.services.contacts.save(
        team_id=app.team_id, actor=AGENT, contact_id=None,
        fields={"phone": SECOND_CUSTOMER, "name": "Bo Diddley"},
    )
    response = slash(app, "bo diddley see you at 5", user=AGENT)
    assert "Texting Bo Diddley" in response.text
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert fake_twilio.created[0]["params"]["To"] == SECOND_CUSTOMER
    assert fake_twilio.created[0]["params"]["Body"] == "see you at 5"
    response = slash(app, "maria can you call me", user=AGENT)
    assert "Sending your message to maria" in response.text
    dm = fake_slack.wait_for(lambda: fake_slack.dm_channel(MANAGER))
    assert fake_slack.wait_for(lambda: fake_slack.messages_in(dm))


def test_slash_ambiguous_name_opens_the_window_prefilled(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U0ANN2", "ann2", real_name="ann")
    app.core.services.directory.sync(team_id=app.team_id)
    assert slash(app, "ann are you there", user=ADMIN).status_code == 200
    opened = fake_slack.views[-1]["view"]
    assert "Several people" in block(opened, ids.COMPOSE_NOTICE_BLOCK)["elements"][0]["text"]
    message = block(opened, ids.COMPOSE_MESSAGE_BLOCK)["element"]
    assert message["initial_value"] == "ann are you there"


@pytest.mark.parametrize("text", ["+1 415 555 2671 hi", "bo hi"])
def test_slash_refused_without_a_number(app: AppUnderTest, text: str) -> None:
    app.core.services.contacts.save(
        team_id=app.team_id, actor=AGENT, contact_id=None, fields={"phone": SECOND_CUSTOMER,
                                                                   "name": "bo"},
    )
    response = slash(app, text, user=OTHER)
    assert "set up by an administrator" in response.text


def test_composed_thread_is_the_conversation_thread_even_when_slack_stumbles(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    """The root is created once (a 500 on the first post is reconciled, not re-posted); the
    customer's answer lands in the same thread and a reply there goes back to them."""
    from tests.handlers.test_slack_replies import reply

    fake_slack.fail_next("chat.postMessage", status=500)
    response = slash(app, "+1 415 555 2671 Hello from Acme", user=AGENT)
    assert response.status_code == 200
    fake_twilio.wait_for(lambda: fake_twilio.created)
    thread = fake_slack.wait_for(lambda: [
        m for m in fake_slack.messages_in(SUPPORT_CHANNEL) if "texted: Hello" in m["text"]
    ])[0]["thread_ts"]
    assert len(top_level(fake_slack, SUPPORT_CHANNEL)) == 1
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER,
                             body="Hi Acme")
    fake_slack.wait_for(lambda: any(
        m["text"] == "Hi Acme" for m in fake_slack.thread(SUPPORT_CHANNEL, thread)
    ))
    assert len(top_level(fake_slack, SUPPORT_CHANNEL)) == 1
    reply(app, fake_slack, thread, "Great, see you")
    fake_twilio.wait_for(lambda: len(fake_twilio.created) == 2)
    assert fake_twilio.created[1]["params"]["To"] == CUSTOMER
    assert fake_twilio.created[1]["params"]["Body"] == "Great, see you"


def test_a_manager_may_text_from_any_number(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    view = open_compose(app, fake_slack, user=MANAGER)
    customer = options_for(app, view, CUSTOMER, user=MANAGER)[0]
    updated = choose(app, fake_slack, view, customer, user=MANAGER)
    options = block(updated, ids.COMPOSE_FROM_BLOCK)["element"]["options"]
    assert [o["text"]["text"] for o in options] == [
        "Sales (+1 415-555-0199)", "Support (+1 415-555-0100)"
    ]
    response = submit(app, user=MANAGER, view=with_state(
        updated, state(customer, text="Manager here", number=options[0]["value"])
    ))
    assert response.text == ""
    fake_twilio.wait_for(lambda: fake_twilio.created)
    assert fake_twilio.created[0]["params"]["From"] == "+14155550199"
