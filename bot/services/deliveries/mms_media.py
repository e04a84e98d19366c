"""Before an MMS goes to Twilio: its Slack files downloaded (bot token) into the data
directory, each row given an expiry, and the signed links Twilio will fetch.

Runs inside the send's outbox item, before the attempt is recorded: a crash here just
downloads again. Links are derived from the rows, so a retried send gets the same ones.
"""

from __future__ import annotations

import hashlib

from bot.media_types import IMAGE_TOTAL_BYTES
from bot.services.clock import utcnow
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.snapshot import MessageSnapshot
from storage.models import MediaState
from storage.repositories import media


def prepare(ctx: DeliveryContext, snap: MessageSnapshot) -> list[str]:
    """The MediaUrl list for the message (empty for a plain SMS)."""
    if not snap.has_media:
        return []
    support = ctx.media
    assert support is not None
    slack = ctx.slack_for(snap.team_id)
    with ctx.session_factory.begin() as session:
        pending = [
            (m.id, m.source_url) for m in media.for_message(session, snap.message.id)
            if m.state == MediaState.PENDING
        ]
    for media_id, url in pending:
        data = slack.download(str(url), max_bytes=IMAGE_TOTAL_BYTES)
        local = f"out/{media_id}"
        path = support.media_dir / local
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        with ctx.session_factory.begin() as session:
            media.set_fields(
                session, media_id, state=MediaState.STORED, local_path=local, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), expires_at=utcnow() + support.ttl,
            )
    with ctx.session_factory.begin() as session:
        return [
            support.urls.url(
                media_id=m.id, message_id=m.message_id, team_id=snap.team_id,
                expires_at=m.expires_at,
            )
            for m in media.for_message(session, snap.message.id)
            if m.expires_at is not None
        ]
