"""The conversation card and escalation blocks, as dicts and through slack_sdk's models."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.card import build_conversation_card
from bot.blocks.escalation import (
    build_escalation_modal,
    build_escalation_notice,
    build_escalations_channel_section,
)

MOMENT = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def card(**overrides: object) -> tuple[str, list[dict]]:
    fields: dict = dict(
        conversation_id=7, contact_name="Jo <Smith>", contact_e164="+14155552671",
        contact_company="Acme & Co", number_e164="+14155550100", number_label="Support",
        closed=False, assigned_to=None, taken_over_by=None, escalated_to=[],
        escalated_to_channel=None, last_activity_at=MOMENT,
    )
    fields.update(overrides)
    return build_conversation_card(**fields)


def valid(block: dict) -> None:
    """slack_sdk's own model of the block accepts it (types, lengths, required fields)."""
    parsed = Block.parse(block)
    assert parsed is not None and parsed.to_dict() == block
    parsed.validate_json()


def texts(blocks: list[dict]) -> str:
    return str(blocks)


def buttons(blocks: list[dict]) -> dict[str, str]:
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    return {e["action_id"]: e["value"] for e in actions["elements"]}


def test_card_shows_contact_number_status_and_activity_escaped() -> None:
    text, blocks = card()
    for block in blocks:
        valid(block)
    shown = texts(blocks)
    assert "Jo &lt;Smith&gt;" in shown and "+1 415-555-2671" in shown
    assert "Acme &amp; Co" in shown and "Support (+1 415-555-0100)" in shown
    assert "*Status:* open" in shown
    assert f"<!date^{int(MOMENT.timestamp())}^" in shown and "2026-11-24 20:00 UTC" in shown
    assert "<Smith>" not in text and "open" in text
    assert buttons(blocks) == {
        ids.CARD_ASSIGN_TO_ME: "7", ids.CARD_ESCALATE: "7", ids.CARD_TAKE_OVER: "7",
        ids.CARD_CLOSE: "7",
    }


def test_card_status_follows_the_state() -> None:
    assert "assigned to <@U1>" in card(assigned_to="U1")[0]
    escalated = card(assigned_to="U1", escalated_to=["U2", "U3"], escalated_to_channel="C9")[0]
    assert "assigned to <@U1> · :rotating_light: escalated to <@U2>, <@U3>, <#C9>" in escalated
    text, blocks = card(assigned_to="U2", taken_over_by="U2", escalated_to=["U2"])
    assert "taken over by <@U2>" in text and "escalated" not in text
    assert ids.CARD_RELEASE in buttons(blocks) and ids.CARD_TAKE_OVER not in buttons(blocks)
    text, blocks = card(closed=True, assigned_to="U1")
    assert "closed" in text
    assert ids.CARD_REOPEN in buttons(blocks) and ids.CARD_CLOSE not in buttons(blocks)


def test_escalation_modal_offers_a_manager_choice_only_when_there_are_several() -> None:
    one = build_escalation_modal(conversation_id=3, contact="Jo", managers=[("U1", "maria")],
                                 channel_id=None)
    View(**one).validate_json()
    assert one["callback_id"] == ids.ESCALATE_VIEW
    assert [b.get("block_id") for b in one["blocks"] if b["type"] == "input"] == [
        ids.ESCALATE_REASON_BLOCK, ids.ESCALATE_URGENCY_BLOCK]
    several = build_escalation_modal(
        conversation_id=3, contact="Jo", managers=[("U1", "maria"), ("U2", "mo")],
        channel_id="C9",
    )
    View(**several).validate_json()
    (target,) = [b for b in several["blocks"] if b.get("block_id") == ids.ESCALATE_TARGET_BLOCK]
    assert [o["value"] for o in target["element"]["options"]] == [
        ids.ESCALATE_TARGET_ALL, "U1", "U2"]
    assert "<#C9>" in str(several["blocks"])


def test_escalation_notice_has_take_over_until_taken_over() -> None:
    fields = dict(conversation_id=3, contact="Jo <x>", number="Support", reason="angry\n& loud",
                  urgency="urgent", escalated_by="U0AGENT",
                  permalink="https://acme.slack.com/archives/C1/p1")
    text, blocks = build_escalation_notice(taken_over_by=None, **fields)  # type: ignore[arg-type]
    for block in blocks:
        valid(block)
    assert "Urgent" in text and "Jo &lt;x&gt;" in text and "<@U0AGENT>" in text
    assert ">angry\n>&amp; loud" in blocks[0]["text"]["text"]
    assert "archives/C1/p1" in str(blocks)
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == ids.ESCALATION_TAKE_OVER
    text, blocks = build_escalation_notice(taken_over_by="U0M", **fields)  # type: ignore[arg-type]
    assert "taken over by <@U0M>" in text
    assert not [b for b in blocks if b["type"] == "actions"]


def test_app_home_section_shows_and_picks_the_escalations_channel() -> None:
    (none,) = build_escalations_channel_section(channel_id=None)
    valid(none)
    assert "none" in none["text"]["text"]
    (some,) = build_escalations_channel_section(channel_id="C9")
    assert some["accessory"]["initial_conversation"] == "C9"
    assert some["accessory"]["action_id"] == ids.ESCALATIONS_CHANNEL_SELECT
