
from bot.blocks.conversation import (
    build_failure_note,
    build_inbound_text,
)


def test_inbound_text_is_escaped() -> None:
    assert build_inbound_text("<@U1> hi & <https://x|y>") == "&lt;@U1&gt; hi &amp; &lt;https://x|y&gt;"
    assert build_inbound_text("  ") == "_(empty message)_"


def test_failure_note_explains_the_error_code() -> None:
    note = build_failure_note(contact_e164="+14155552671", status="undelivered", error_code=30006)
    assert "30006" in note and "landline" in note
