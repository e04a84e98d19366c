"""A customer's MMS media into the conversation's thread, each file exactly once.

Every step is recorded on the file's row before the next one starts: fetched from Twilio
(streamed to the data directory), uploaded to Slack (the file id, known before anything is
shared), then shared into the thread in ONE message with the customer's text as its comment.
The share is marked `completing` before Slack is called; a run that finds it so asks
`files.info` whether the share happened before sharing again. A file that can't be fetched
or uploaded (refused, or still failing after MAX_TRIES runs) is left out and named in a
note in the thread: never dropped in silence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.blocks.conversation import build_inbound_text
from bot.blocks.media import build_media_failure_note
from bot.errors import OutcomeUnknown, RateLimited, SlackError, TransientError
from bot.gateways.media_fetch import MediaRefused
from bot.gateways.slack import SlackGateway
from bot.services.clock import utcnow
from bot.services.deliveries.context import DeliveryContext, MediaSupport
from bot.services.deliveries.slack_posting import post_once
from bot.services.deliveries.snapshot import MessageSnapshot
from bot.services.outcomes import Postpone
from storage.models import MediaState
from storage.repositories import media, pacing

log = logging.getLogger(__name__)

MAX_TRIES = 4


@dataclass(frozen=True)
class _Row:
    id: int
    filename: str
    content_type: str
    source_url: str | None
    local_path: str | None
    slack_file_id: str | None
    state: str
    error: str | None


def copy_into_thread(
    ctx: DeliveryContext, snap: MessageSnapshot, *, thread_ts: str, attempts: int
) -> str | None:
    """Fetch, upload and share the message's media (text as the comment); returns the ts of
    the message that carries it, when Slack says."""
    support = ctx.media
    assert support is not None
    slack = ctx.slack_for(snap.team_id)
    final = attempts >= MAX_TRIES
    for row in _rows(ctx, snap.message.id):
        if row.state == MediaState.PENDING:
            _fetch(ctx, support, row, final=final)
    for row in _rows(ctx, snap.message.id):
        if row.state == MediaState.FETCHED:
            _upload(ctx, support, slack, row, final=final)
    rows = _rows(ctx, snap.message.id)
    sharing = [r for r in rows if r.state in (MediaState.UPLOADED, MediaState.COMPLETING)]
    ts = _share(ctx, slack, snap, thread_ts, sharing, with_text=not any(
        r.state == MediaState.SHARED for r in rows)) if sharing else None
    rows = _rows(ctx, snap.message.id)
    body = snap.message.body
    if not any(r.state == MediaState.SHARED for r in rows) and body.strip():
        ts = post_once(
            ctx, team_id=snap.team_id, workspace_id=snap.workspace_id,
            key=f"msg:{snap.message.id}", channel=snap.conversation.channel_id,
            thread_ts=thread_ts, text=build_inbound_text(body),
        )
    failed = [r for r in rows if r.state == MediaState.FAILED]
    if failed:
        post_once(
            ctx, team_id=snap.team_id, workspace_id=snap.workspace_id,
            key=f"msg:{snap.message.id}:media", channel=snap.conversation.channel_id,
            thread_ts=thread_ts,
            text=build_media_failure_note(
                failed=[(r.filename, r.error or "unknown error") for r in failed],
                total=len(rows),
                all_photos=all(r.content_type.startswith("image/") for r in rows),
            ),
        )
    return ts


def _rows(ctx: DeliveryContext, message_id: int) -> list[_Row]:
    with ctx.session_factory.begin() as session:
        return [
            _Row(m.id, m.filename, m.content_type, m.source_url, m.local_path, m.slack_file_id,
                 m.state, m.error)
            for m in media.for_message(session, message_id)
        ]


def _set(ctx: DeliveryContext, media_id: int, **values: Any) -> None:
    with ctx.session_factory.begin() as session:
        media.set_fields(session, media_id, **values)


def _give_up_or_retry(ctx: DeliveryContext, row: _Row, exc: Exception, *, final: bool) -> None:
    """A transient failure: retried by the outbox, until the last try makes it final."""
    if not final:
        raise exc
    log.warning("media %s failed after %d tries: %s", row.id, MAX_TRIES, exc)
    _set(ctx, row.id, state=MediaState.FAILED, error=str(exc))


def _fetch(ctx: DeliveryContext, support: MediaSupport, row: _Row, *, final: bool) -> None:
    local = f"in/{row.id}-{row.filename}"
    try:
        fetched = support.fetcher.fetch(row.source_url or "", support.media_dir / local)
    except MediaRefused as exc:
        _set(ctx, row.id, state=MediaState.FAILED, error=str(exc))
        return
    except TransientError as exc:
        _give_up_or_retry(ctx, row, exc, final=final)
        return
    _set(ctx, row.id, state=MediaState.FETCHED, local_path=local, size=fetched.size,
         sha256=fetched.sha256)


def _upload(
    ctx: DeliveryContext, support: MediaSupport, slack: SlackGateway, row: _Row, *, final: bool
) -> None:
    assert row.local_path is not None
    try:
        data = (support.media_dir / row.local_path).read_bytes()
    except FileNotFoundError as exc:  # fetched by a worker on another machine: fetch again
        _set(ctx, row.id, state=MediaState.PENDING, local_path=None)
        raise TransientError("the fetched media is not on this machine; fetching again") from exc
    try:
        file_id = slack.start_upload(filename=row.filename, data=data)
    except SlackError as exc:
        _set(ctx, row.id, state=MediaState.FAILED, error=f"Slack refused the upload ({exc.code})")
        return
    except (TransientError, OutcomeUnknown) as exc:
        _give_up_or_retry(ctx, row, exc, final=final)
        return
    _set(ctx, row.id, state=MediaState.UPLOADED, slack_file_id=file_id)


def _share(
    ctx: DeliveryContext, slack: SlackGateway, snap: MessageSnapshot, thread_ts: str,
    rows: list[_Row], *, with_text: bool,
) -> str | None:
    channel = snap.conversation.channel_id
    if any(r.state == MediaState.COMPLETING for r in rows):
        info = slack.file_info(str(rows[0].slack_file_id))
        if info is not None and _shared_in(info, channel):
            log.info("reconciled media of message %s with an earlier share", snap.message.id)
            return _mark_shared(ctx, rows, info, channel)
    pace_key = f"{snap.team_id}:{channel}"
    with ctx.session_factory.begin() as session:
        slot = pacing.reserve(session, pace_key, now=utcnow(), interval=ctx.slack_post_interval)
        if slot is not None:
            raise Postpone(slot, f"channel paced until {slot.isoformat()}")
        for row in rows:
            media.set_fields(session, row.id, state=MediaState.COMPLETING)
    body = snap.message.body
    try:
        files = slack.complete_upload(
            files=[{"id": str(r.slack_file_id), "title": r.filename} for r in rows],
            channel=channel, thread_ts=thread_ts,
            initial_comment=build_inbound_text(body) if body.strip() and with_text else None,
        )
    except RateLimited as exc:
        until = utcnow() + timedelta(seconds=exc.retry_after)
        with ctx.session_factory.begin() as session:
            pacing.hold_off(session, pace_key, until=until)
            for row in rows:  # a 429 shared nothing: no reconcile needed
                media.set_fields(session, row.id, state=MediaState.UPLOADED)
        raise Postpone(until, "Slack asked to retry later") from exc
    except SlackError as exc:
        if exc.code != "file_not_found":
            raise
        for row in rows:  # the uploads lapsed before they were shared: upload again
            _set(ctx, row.id, state=MediaState.FETCHED, slack_file_id=None)
        raise TransientError("Slack no longer has the uploads; uploading again") from exc
    return _mark_shared(ctx, rows, files[0] if files else {}, channel)


def _shared_in(file: dict[str, Any], channel: str) -> bool:
    return _share_ts(file, channel) is not None or channel in (file.get("channels") or []) + (
        file.get("groups") or [])


def _share_ts(file: dict[str, Any], channel: str) -> str | None:
    shares = file.get("shares") or {}
    for visibility in ("public", "private"):
        found = (shares.get(visibility) or {}).get(channel) or []
        if found:
            return str(found[0]["ts"])
    return None


def _mark_shared(
    ctx: DeliveryContext, rows: list[_Row], file: dict[str, Any], channel: str
) -> str | None:
    with ctx.session_factory.begin() as session:
        for row in rows:
            media.set_fields(session, row.id, state=MediaState.SHARED)
    return _share_ts(file, channel)
