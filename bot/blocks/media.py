"""Text shown in a thread about MMS media: pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from bot.text import escape_mrkdwn


def build_media_failure_note(*, failed: Sequence[tuple[str, str]], total: int,
                             all_photos: bool) -> str:
    """`1 of 3 photos could not be copied: photo-2.jpg: Twilio answered 404`."""
    noun = "photos" if all_photos else "files"
    reasons = "; ".join(f"{name}: {reason}" for name, reason in failed)
    return (
        f":warning: {len(failed)} of {total} {noun} could not be copied from the customer's "
        f"MMS: {escape_mrkdwn(reasons)}"
    )
