"""Flow 1: a customer's text arrives. Stored with its outbox item in one transaction,
deduplicated on MessageSid, before Twilio gets its answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound
from bot.phones import mask_phone, parse_phone
from bot.services import inbound_media, lifecycle, optouts, outbox_items
from bot.services.clock import utcnow
from bot.services.inbound_media import InboundMedia
from bot.services.jobs import JobQueue
from bot.text import MAX_SMS_CHARS
from storage.models import ConversationStatus, Direction, Message
from storage.repositories import contacts, conversations, messages, numbers

log = logging.getLogger(__name__)
MAX_MEDIA = 10


@dataclass(frozen=True)
class InboundText:
    message_sid: str
    to: str
    from_: str
    body: str
    num_segments: int
    opt_out_type: str | None = None  # Twilio's keyword verdict (Advanced Opt-Out)
    media: tuple[InboundMedia, ...] = ()

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> InboundText:
        """Validate Twilio's webhook form; raises InvalidInput naming the bad field."""
        sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
        if not (sid.startswith(("SM", "MM")) and len(sid) == 34):
            raise InvalidInput("MessageSid is missing or malformed", field="MessageSid")
        to = parse_phone(form.get("To", ""), field="To").e164
        from_ = parse_phone(form.get("From", ""), field="From").e164
        body = form.get("Body", "")
        if len(body) > MAX_SMS_CHARS * 2:
            raise InvalidInput("Body is longer than any SMS", field="Body")
        try:
            segments = max(1, int(form.get("NumSegments") or 1))
        except ValueError as exc:
            raise InvalidInput("NumSegments is not a number", field="NumSegments") from exc
        return cls(
            message_sid=sid, to=to, from_=from_, body=body, num_segments=segments,
            opt_out_type=form.get("OptOutType") or None,
            media=_media_from_form(form),
        )


def _media_from_form(form: Mapping[str, str]) -> tuple[InboundMedia, ...]:
    """MediaUrl{N}/MediaContentType{N} for N < NumMedia (at most 10, as Twilio sends)."""
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError as exc:
        raise InvalidInput("NumMedia is not a number", field="NumMedia") from exc
    if not 0 <= count <= MAX_MEDIA:
        raise InvalidInput(f"NumMedia must be 0 to {MAX_MEDIA}", field="NumMedia")
    items = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}") or ""
        if not url.startswith(("https://", "http://")):
            raise InvalidInput(f"MediaUrl{index} is missing", field=f"MediaUrl{index}")
        content_type = form.get(f"MediaContentType{index}") or "application/octet-stream"
        items.append(InboundMedia(url=url, content_type=content_type[:127]))
    return tuple(items)


class InboundService:
    def __init__(
        self, *, session_factory: sessionmaker[Session], queue: JobQueue,
        help_reply: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.queue = queue
        self.help_reply = help_reply

    def receive(self, text: InboundText) -> bool:
        """Store the text; returns False when it was a duplicate delivery."""
        try:
            item_ids = self._store(text)
        except IntegrityError:
            with self.session_factory.begin() as session:
                if messages.by_twilio_sid(session, text.message_sid) is None:
                    raise
            item_ids = None
        if item_ids is None:
            log.info("duplicate inbound %s ignored", text.message_sid)
            return False
        for item_id in item_ids:
            self.queue.enqueue(item_id)
        return True

    def _store(self, text: InboundText) -> list[int] | None:
        now = utcnow()
        with self.session_factory.begin() as session:
            number, contact = numbers.with_sender(session, text.to, text.from_)
            if number is None:
                raise NotFound(f"{mask_phone(text.to)} is not an SMS number set up here")
            # a repeated MessageSid fails the message insert's unique key: receive() settles it
            contact_is_new = False
            if contact is None:
                contact, contact_is_new = contacts.add_or_find(
                    session, number.workspace_id, text.from_
                )
            conversation = conversations.ensure_locked(
                session,
                workspace_id=number.workspace_id,
                number_id=number.id,
                contact_id=contact.id,
                channel_id=number.channel_id,
                now=now,
                contact_is_new=contact_is_new,
            )
            if conversation.last_activity_at != now:
                conversation.last_activity_at = now
            reopened = conversation.status == ConversationStatus.CLOSED
            if reopened:
                conversation.status = ConversationStatus.OPEN
            message = Message(
                workspace_id=number.workspace_id,
                conversation_id=conversation.id,
                direction=Direction.INBOUND,
                body=text.body,
                status="received",
                twilio_sid=text.message_sid,
                num_segments=text.num_segments,
                created_at=now,
            )
            session.add(message)
            session.flush()
            inbound_media.record(session, message_id=message.id, media=text.media, now=now)
            posted = outbox_items.inbound_post(
                session, workspace_id=number.workspace_id, conversation_id=conversation.id,
                message_id=message.id, now=now,
            )
            lifecycle.after_inbound(session, conversation, reopened=reopened, now=now)
            return [posted, *optouts.on_inbound(
                session, number=number, contact=contact, conversation=conversation,
                message=message, opt_out_type=text.opt_out_type, help_reply=self.help_reply,
                now=now,
            )]
