from __future__ import annotations

from bot.blocks.media import build_media_failure_note


def test_failure_note_counts_and_escapes() -> None:
    note = build_media_failure_note(
        failed=[("photo-2.jpg", "Twilio answered 404"), ("photo-3.jpg", "<b> & co")], total=3,
        all_photos=True,
    )
    assert note == (
        ":warning: 2 of 3 photos could not be copied from the customer's MMS: "
        "photo-2.jpg: Twilio answered 404; photo-3.jpg: &lt;b&gt; &amp; co"
    )
    assert "3 files" in build_media_failure_note(failed=[("f", "x")], total=3, all_photos=False)
