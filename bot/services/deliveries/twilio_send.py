"""A reply out as SMS, exactly once.

`send_attempted_at` is committed before Twilio is called. A run that finds it set
looks the message up in Twilio (To/From/body since then) before creating anything.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import update

from bot.errors import RateLimited, SlackError, TwilioRejected
from bot.gateways.twilio import SentMessage
from bot.phones import mask_phone
from bot.services import optouts, outbox_items
from bot.services.clock import utcnow
from bot.services.deliveries import mms_media, snapshot
from bot.services.deliveries.context import DeliveryContext
from bot.services.message_status import moves_forward
from bot.twilio_errors import OPT_OUT_ERROR
from storage.models import Message, OutboxItem
from storage.repositories import messages

log = logging.getLogger(__name__)

RECONCILE_MARGIN = timedelta(minutes=2)
TERMINAL = frozenset({"delivered", "undelivered", "failed", "read"})


def status_callback_url(ctx: DeliveryContext, message_id: int) -> str:
    """Carries our message id, so a callback racing the create's answer still finds it."""
    return f"{ctx.public_base_url.rstrip('/')}/twilio/status?m={message_id}"


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    assert item.message_id is not None
    with ctx.session_factory.begin() as session:
        snap = snapshot.load(session, item.message_id)
    message = snap.message
    if message.twilio_sid or message.status in TERMINAL:
        return []
    sender: dict[str, str | None] = {
        "from_number": snap.number.e164,
        "messaging_service_sid": snap.number.messaging_service_sid,
    }
    try:
        media_urls = mms_media.prepare(ctx, snap)
    except SlackError as exc:
        log.info("files of message %s could not be taken from Slack: %s", message.id, exc.code)
        return _fail(ctx, snap, None)
    if message.send_attempted_at is not None:
        found = _find_earlier_send(ctx, snap, sender)
        if found is not None:
            log.info("reconciled message %s with an earlier send", message.id)
            return _record(ctx, snap, found)
    with ctx.session_factory.begin() as session:
        refused = optouts.refuse_send(session, message_id=message.id, now=utcnow())
        if refused is None:
            session.execute(
                update(Message).where(Message.id == message.id).values(send_attempted_at=utcnow())
            )
    if refused is not None:
        log.info("message %s not sent: %s opted out", message.id, mask_phone(snap.contact.e164))
        return refused
    try:
        sent = ctx.twilio.send(
            to=snap.contact.e164, **sender, body=message.body, media_urls=media_urls,
            status_callback=status_callback_url(ctx, message.id),
        )
    except RateLimited:
        _clear_attempt(ctx, message.id)  # refused outright: nothing to reconcile
        raise
    except TwilioRejected as exc:
        log.info("Twilio refused message %s to %s: %s", message.id,
                 mask_phone(snap.contact.e164), exc.code)
        return _fail(ctx, snap, exc.code)
    return _record(ctx, snap, sent)


def _find_earlier_send(
    ctx: DeliveryContext, snap: snapshot.MessageSnapshot, sender: dict[str, str | None]
) -> SentMessage | None:
    """A Twilio message matching this one that no other message of ours has claimed."""
    assert snap.message.send_attempted_at is not None
    candidates = ctx.twilio.sent_since(
        to=snap.contact.e164,
        from_number=sender["from_number"],
        messaging_service_sid=sender["messaging_service_sid"],
        body=snap.message.body,
        since=snap.message.send_attempted_at - RECONCILE_MARGIN,
    )
    with ctx.session_factory.begin() as session:
        known = messages.known_sids(session, [c.sid for c in candidates])
    unclaimed = [c for c in candidates if c.sid not in known]
    return unclaimed[-1] if unclaimed else None


def _clear_attempt(ctx: DeliveryContext, message_id: int) -> None:
    with ctx.session_factory.begin() as session:
        session.execute(
            update(Message).where(Message.id == message_id).values(send_attempted_at=None)
        )


def _record(ctx: DeliveryContext, snap: snapshot.MessageSnapshot, sent: SentMessage) -> list[int]:
    now = utcnow()
    with ctx.session_factory.begin() as session:
        message = messages.get_locked(session, snap.message.id)
        assert message is not None
        message.twilio_sid = sent.sid
        if moves_forward(message.status, sent.status):
            message.status = sent.status
        return [
            outbox_items.status_update(
                session, workspace_id=snap.workspace_id, message_id=message.id, now=now
            )
        ]


def _fail(ctx: DeliveryContext, snap: snapshot.MessageSnapshot, code: int | None) -> list[int]:
    now = utcnow()
    with ctx.session_factory.begin() as session:
        message = messages.get_locked(session, snap.message.id)
        assert message is not None
        message.status = "failed"
        message.error_code = code
        return [
            outbox_items.status_update(
                session, workspace_id=snap.workspace_id, message_id=message.id, now=now
            ),
            *(optouts.on_twilio_opt_out(session, message=message, now=now)
              if code == OPT_OUT_ERROR else []),
        ]
