"""Opt-out notes, the root's status line and the refusal sentence, as dicts and strings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block

from bot.blocks.card import build_conversation_card
from bot.blocks.optouts import (
    build_help_reply_note,
    build_opt_in_note,
    build_opt_out_note,
    build_opt_out_refusal,
    slack_time,
)

AT = datetime(2026, 11, 24, 20, 50, 7, tzinfo=UTC)


def test_times_are_slack_date_tokens_with_a_utc_fallback() -> None:
    assert slack_time(AT) == (
        f"<!date^{int(AT.timestamp())}^{{date_short_pretty}} at {{time}}|2026-11-24 20:50 UTC>"
    )


def test_card_shows_the_opt_out_only_while_it_lasts() -> None:
    common: dict[str, Any] = dict(
        conversation_id=1, contact_name="Bob", contact_e164="+14155552671",
        contact_company=None, number_e164="+14155550100", number_label="Support", closed=False,
        assigned_to=None, taken_over_by=None, escalated_to=[], escalated_to_channel=None,
        last_activity_at=AT,
    )
    _, plain = build_conversation_card(**common)
    _, opted = build_conversation_card(**common, opted_out_at=AT, opted_out_by="QUIT")
    assert "Opted out" not in str(plain)
    status = opted[1]["elements"][-1]["text"]
    assert status.startswith("🚫 *Opted out* by QUIT at <!date^")
    assert "2026-11-24 20:50 UTC" in status
    for block in opted:
        assert Block.parse(block) is not None


def test_notes_and_refusal_say_what_happened_and_when() -> None:
    assert build_opt_out_note(keyword="STOP", at=AT).startswith("🚫 Opted out by STOP at <!date^")
    assert build_opt_in_note(keyword="START", at=AT).startswith("✅ Opted back in by START at ")
    twilio = build_opt_out_note(keyword="21610", at=AT)
    assert "error 21610" in twilio
    refusal = build_opt_out_refusal(
        contact_e164="+14155552671", number_name="Support (+1 415-555-0100)", keyword="STOP",
        at=AT,
    )
    assert refusal.startswith("Not sent: +1 415-555-2671 opted out of texts from Support")
    assert "by STOP at" in refusal and "2026-11-24 20:50 UTC" in refusal and "START" in refusal


def test_help_answer_is_escaped() -> None:
    assert build_help_reply_note("<!here> Acme & co") == (
        "🤖 Automatic answer to HELP: &lt;!here&gt; Acme &amp; co"
    )
