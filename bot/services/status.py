"""Flow 2, last leg: Twilio status callbacks move a reply's state forward, never back."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotFound
from bot.services import optouts, outbox_items
from bot.services.clock import utcnow
from bot.services.jobs import JobQueue
from bot.services.message_status import moves_forward
from bot.twilio_errors import OPT_OUT_ERROR
from storage.models import Direction, Message
from storage.repositories import messages

log = logging.getLogger(__name__)


class StatusService:
    def __init__(self, *, session_factory: sessionmaker[Session], queue: JobQueue) -> None:
        self.session_factory = session_factory
        self.queue = queue

    def apply(
        self, *, message_id: int | None, sid: str, status: str, error_code: int | None
    ) -> bool:
        """Record the callback; returns True when the state moved. NotFound if unknown."""
        with self.session_factory.begin() as session:
            message = self._find(session, message_id, sid)
            if message.twilio_sid is None:
                message.twilio_sid = sid  # the callback beat the create's answer
            if not moves_forward(message.status, status):
                return False
            message.status = status
            if error_code is not None:
                message.error_code = error_code
            item_ids = [outbox_items.status_update(
                session, workspace_id=message.workspace_id, message_id=message.id, now=utcnow()
            )]
            if error_code == OPT_OUT_ERROR:
                item_ids += optouts.on_twilio_opt_out(session, message=message, now=utcnow())
        for item_id in item_ids:
            self.queue.enqueue(item_id)
        return True

    def _find(self, session: Session, message_id: int | None, sid: str) -> Message:
        message = None
        if message_id is not None:
            message = messages.get_locked(session, message_id)
            if message is not None and message.twilio_sid not in (None, sid):
                message = None
        if message is None:
            message = messages.by_twilio_sid(session, sid)
        if message is None or message.direction != Direction.OUTBOUND:
            raise NotFound("no outbound message matches this status callback")
        return message
