"""Compose, App Home, admin and contact builders: plain dicts Slack's own models accept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.admin import build_add_number_modal, build_assign_modal, build_roles_modal
from bot.blocks.compose import build_compose_modal, build_counter, build_recipient_options
from bot.blocks.composed import build_internal_chat, build_outbound_echo, build_sms_confirmation
from bot.blocks.contacts import build_contact_modal
from bot.blocks.home import build_home
from bot.services.compose import ComposeForm, SenderNumber
from bot.services.contacts import ContactDetails
from bot.services.directory import Recipient, RecipientKind
from bot.services.home import HomeData, HomeNumber, RecentMessage

SUPPORT = SenderNumber(1, "+14155550100", "Support", "C0SUPPORT", True)
SALES = SenderNumber(2, "+14155550199", None, "C0SALES", False)
CUSTOMER = Recipient(RecipientKind.CONTACT, "Dana <Scully>", e164="+14155552671", contact_id=7)
COWORKER = Recipient(RecipientKind.MEMBER, "Ann Lee", user_id="U0ANN")


def valid_view(view: dict) -> dict:
    View(**view).validate_json()
    for block in view["blocks"]:
        assert Block.parse(block) is not None, block
    return view


def ids_of(view: dict) -> list[str]:
    return [b.get("block_id", b["type"]) for b in view["blocks"]]


def test_recipient_options_are_marked_and_valid() -> None:
    manager = Recipient(RecipientKind.MEMBER, "Maria", user_id="U0M", is_manager=True)
    typed = Recipient(RecipientKind.PHONE, "+1 555-123-4567", e164="+15551234567")
    long = Recipient(RecipientKind.CONTACT, "x" * 200, e164="+14155550000", contact_id=1)
    options = build_recipient_options([COWORKER, manager, CUSTOMER, typed, long])
    for option in options:
        assert Option(**{"text": option["text"]["text"], "value": option["value"]}).to_dict()
        assert len(option["text"]["text"]) <= 75
    assert [o["text"]["text"] for o in options[:4]] == [
        "🟤 Ann Lee · chat", "⚪ Maria · chat", "🔵 Dana <Scully> · +1 415-555-2671",
        "📱 Text +1 555-123-4567",
    ]
    assert [o["value"] for o in options[:4]] == ["m:U0ANN", "m:U0M", "c:7", "p:+15551234567"]
    assert len(build_recipient_options([typed] * 150)) == 100


def test_compose_modal_for_external_recipient_has_from_and_files() -> None:
    form = ComposeForm(numbers=[SUPPORT, SALES], admins=["Adam"], recipient=CUSTOMER,
                       text="hi", origin_channel="C0SUPPORT")
    view = valid_view(build_compose_modal(form))
    assert ids_of(view) == ["recipient", "from", "message", "counter", "files", "actions"]
    recipient = view["blocks"][0]
    assert recipient["dispatch_action"] is True
    assert recipient["element"]["initial_option"]["value"] == "c:7"
    message = view["blocks"][2]["element"]
    assert message["dispatch_action_config"] == {"trigger_actions_on": ["on_character_entered"]}
    assert message["initial_value"] == "hi"
    assert json.loads(view["private_metadata"]) == {"channel": "C0SUPPORT"}
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "1"


def test_compose_modal_for_a_coworker_or_nobody_hides_from() -> None:
    chat = valid_view(build_compose_modal(ComposeForm(numbers=[SUPPORT], admins=[],
                                                       recipient=COWORKER)))
    assert ids_of(chat) == ["recipient", "message", "counter", "actions"]
    empty = valid_view(build_compose_modal(ComposeForm(numbers=[SUPPORT], admins=[])))
    assert ids_of(empty) == ["recipient", "message", "counter", "actions"]


def test_compose_modal_without_numbers_says_whom_to_ask() -> None:
    view = valid_view(build_compose_modal(ComposeForm(
        numbers=[], admins=["Adam Admin", "Eve"], recipient=CUSTOMER, notice="Who?"
    )))
    assert ids_of(view)[:3] == ["notice", "recipient", "no_number"]
    assert "Ask Adam Admin, Eve" in view["blocks"][2]["text"]["text"]


def test_counter() -> None:
    assert build_counter("") == "0 characters · 1 segment · GSM-7"
    assert build_counter("a" * 161) == "161 characters · 2 segments · GSM-7"
    assert build_counter("é😀") == "2 characters · 1 segment · Unicode"
    assert build_counter("a" * 1601).endswith("over the 1600-character limit")


def test_posted_texts_escape_what_people_typed() -> None:
    assert build_outbound_echo(sender="U1", body="<!here> & co") == (
        "📱 <@U1> texted: &lt;!here&gt; &amp; co"
    )
    text, blocks = build_internal_chat(sender="U1", team_id="T1", body="<@U2> hi")
    assert "&lt;@U2&gt;" in text
    for block in blocks:
        assert Block.parse(block) is not None
    assert "slack://user?team=T1&id=U1" in json.dumps(blocks)
    assert "<https://x.slack.com/archives/C1/p1|Open the conversation>" in build_sms_confirmation(
        contact="Dana <S>", number="Support", permalink="https://x.slack.com/archives/C1/p1"
    )


def home_data(*, admin: bool, numbers: list[HomeNumber]) -> HomeData:
    recent = [
        RecentMessage(True, "Dana", "Where is <my> order?\nthanks", "https://l/1",
                      datetime(2026, 1, 2, tzinfo=UTC)),
        RecentMessage(False, "Ann", "x" * 300, None, datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    return HomeData(user="U1", numbers=numbers, admins=["Adam"], recent=recent, is_admin=admin,
                    all_numbers=numbers, roles=[("U9", "admin")])


def test_home_for_a_member_and_an_admin() -> None:
    number = HomeNumber(1, "+14155550100", "Support", "C0SUPPORT", True, [("U1", True)])
    member = valid_view(build_home(home_data(admin=False, numbers=[number])))
    text = json.dumps(member, ensure_ascii=False)
    assert "Support (+1 415-555-0100) → <#C0SUPPORT> · *default*" in text
    assert "📱 *Dana* — Where is &lt;my&gt; order? thanks · <https://l/1|open>" in text
    assert "💬 *Ann* — " + "x" * 79 + "…" in text
    assert "Admin" not in text
    select = next(b["accessory"] for b in member["blocks"] if "accessory" in b)
    assert select["action_id"] == ids.HOME_DEFAULT_NUMBER
    admin = valid_view(build_home(home_data(admin=True, numbers=[number])))
    assert "Admin: roles" in json.dumps(admin)
    nobody = valid_view(build_home(home_data(admin=False, numbers=[])))
    assert "set up by an administrator" in json.dumps(nobody)


def test_admin_and_contact_windows_are_valid() -> None:
    number = HomeNumber(1, "+14155550100", "Support", "C0SUPPORT", True, [])
    for view in (build_add_number_modal(), build_assign_modal([number]), build_assign_modal([]),
                 build_roles_modal(), build_contact_modal(),
                 build_contact_modal(ContactDetails(3, "+14155552671", "Dana", None, "n"))):
        valid_view(view)
    edit = build_contact_modal(ContactDetails(3, "+14155552671", "Dana", None, "n"))
    assert json.loads(edit["private_metadata"]) == {"contact_id": 3}
    assert edit["title"]["text"] == "Edit contact"
