"""Flow 2: a person's reply in a conversation thread becomes an SMS to the customer.

Everything the reply causes (the SMS, a refusal told to the person) is committed with the
event's dedupe keys in one transaction, before Slack gets its answer.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput
from bot.phones import format_phone
from bot.segments import count_segments
from bot.services import optouts, outbound_media, outbox_items
from bot.services.clock import utcnow
from bot.services.jobs import JobQueue
from bot.services.lifecycle import reply_blocked_by_owner
from bot.services.permissions import may_send_from
from bot.text import MAX_SMS_CHARS, is_note, slack_to_plain
from storage.models import Conversation, Direction, Message, Role, SmsNumber
from storage.repositories import conversations, events, messages, reply_checks, roles

log = logging.getLogger(__name__)

SENDABLE_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
EDIT_NOTICE = (
    "An SMS can't be changed once sent: the customer already has the original. "
    "Send a new reply in the thread to correct it."
)


class ReplyOutcome(enum.StrEnum):
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    QUEUED = "queued"
    NOTE = "note"
    REFUSED = "refused"
    EDIT_WARNED = "edit_warned"


class ReplyService:
    def __init__(self, *, session_factory: sessionmaker[Session], queue: JobQueue) -> None:
        self.session_factory = session_factory
        self.queue = queue

    def on_message(
        self, *, team_id: str, event_id: str | None, event: Mapping[str, Any]
    ) -> ReplyOutcome:
        subtype = event.get("subtype")
        if subtype == "message_changed":
            return self._on_edit(team_id=team_id, event_id=event_id, event=event)
        if subtype not in SENDABLE_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return ReplyOutcome.IGNORED
        thread_ts, ts = event.get("thread_ts"), str(event.get("ts"))
        if not thread_ts or thread_ts == ts:
            return ReplyOutcome.IGNORED
        channel = str(event.get("channel"))
        try:
            outcome, item_ids = self._store_reply(
                team_id=team_id,
                event_id=event_id,
                channel=channel,
                thread_ts=str(thread_ts),
                ts=ts,
                user=str(event["user"]),
                text=str(event.get("text") or ""),
                files=list(event.get("files") or []),
            )
        except IntegrityError:
            # a note or reply is stored under its Slack ts once (a unique key): a repeated
            # delivery of it fails that key
            if not self._stored(team_id=team_id, channel=channel, thread_ts=str(thread_ts), ts=ts):
                raise
            return ReplyOutcome.DUPLICATE
        for item_id in item_ids:
            self.queue.enqueue(item_id)
        return outcome

    def _store_reply(
        self, *, team_id: str, event_id: str | None, channel: str, thread_ts: str, ts: str,
        user: str, text: str, files: list[dict[str, Any]],
    ) -> tuple[ReplyOutcome, list[int]]:
        now = utcnow()
        with self.session_factory.begin() as session:
            found = conversations.in_team_thread(session, team_id, channel, thread_ts, lock=True)
            if found is None:
                return ReplyOutcome.IGNORED, []
            conversation, number = found
            workspace_id = conversation.workspace_id
            # Deliveries are deduplicated by what they store: a note or reply by its Slack ts
            # (unique per conversation, see on_message), a refusal by the event's keys.

            def refuse(reason: str) -> tuple[ReplyOutcome, list[int]]:
                if not events.first_time(session, *_dedupe_keys(team_id, event_id, channel, ts)):
                    return ReplyOutcome.DUPLICATE, []
                return ReplyOutcome.REFUSED, [
                    outbox_items.notice(
                        session, workspace_id=workspace_id, team_id=team_id, channel=channel,
                        user=user, text=reason, thread_ts=thread_ts, now=now,
                    )
                ]

            if is_note(text):
                session.add(_message(conversation, Direction.NOTE, text, user, ts, "note"))
                return ReplyOutcome.NOTE, []
            blocked = reply_blocked_by_owner(conversation, user)
            if blocked:
                session.add(_message(conversation, Direction.NOTE, text, user, ts, "note"))
                return refuse(blocked)
            # the common case (assigned, not opted out) in one query; managers and refusals
            # look further
            assigned, opted_out = reply_checks.assigned_and_opted_out(
                session, number_id=number.id, user_id=user, contact_id=conversation.contact_id,
                scopes=optouts.scopes_for(number),
            )
            if not assigned and not may_send_from(
                session, workspace_id=workspace_id, user_id=user, number_id=number.id
            ):
                return refuse(_not_assigned(session, workspace_id, number))
            if opted_out:
                refusal = optouts.refusal_for(
                    session, number_id=number.id, contact_id=conversation.contact_id
                )
                if refusal:
                    return refuse(refusal)
            body = slack_to_plain(text).strip()
            if not body and not files:
                return ReplyOutcome.IGNORED, []
            try:
                attached = outbound_media.check_files(files) if files else []
            except InvalidInput as exc:
                return refuse(str(exc))
            if len(body) > MAX_SMS_CHARS:
                return refuse(
                    f"Not sent: an SMS holds at most {MAX_SMS_CHARS} characters and this reply "
                    f"has {len(body)}. Split it into shorter replies."
                )
            conversation.last_activity_at = now
            message = _message(conversation, Direction.OUTBOUND, body, user, ts, "pending")
            message.num_segments = count_segments(body).segments
            session.add(message)
            session.flush()
            outbound_media.attach(session, message_id=message.id, files=attached, now=now)
            return ReplyOutcome.QUEUED, [
                outbox_items.sms_send(
                    session, workspace_id=workspace_id, conversation_id=conversation.id,
                    message_id=message.id, now=now,
                )
            ]

    def _stored(self, *, team_id: str, channel: str, thread_ts: str, ts: str) -> bool:
        with self.session_factory.begin() as session:
            found = conversations.in_team_thread(session, team_id, channel, thread_ts)
            return found is not None and (
                messages.by_slack_ts(session, found[0].id, ts) is not None
            )

    def _on_edit(
        self, *, team_id: str, event_id: str | None, event: Mapping[str, Any]
    ) -> ReplyOutcome:
        edited = event.get("message") or {}
        previous = event.get("previous_message") or {}
        user, thread_ts = edited.get("user"), edited.get("thread_ts")
        if edited.get("bot_id") or not user or not thread_ts:
            return ReplyOutcome.IGNORED
        if edited.get("text") == previous.get("text"):
            return ReplyOutcome.IGNORED  # unfurls and reactions also arrive as changes
        channel, ts = str(event.get("channel")), str(edited.get("ts"))
        with self.session_factory.begin() as session:
            found = conversations.in_team_thread(session, team_id, channel, str(thread_ts))
            if found is None:
                return ReplyOutcome.IGNORED
            conversation = found[0]
            workspace_id = conversation.workspace_id
            sent = messages.by_slack_ts(session, conversation.id, ts)
            if sent is None or sent.direction != Direction.OUTBOUND:
                return ReplyOutcome.IGNORED
            if not events.first_time(session, f"slack:event:{team_id}:{event_id or ts}"):
                return ReplyOutcome.DUPLICATE
            item_id = outbox_items.notice(
                session, workspace_id=workspace_id, team_id=team_id, channel=channel,
                user=str(user), text=EDIT_NOTICE, thread_ts=str(thread_ts), now=utcnow(),
            )
        self.queue.enqueue(item_id)
        return ReplyOutcome.EDIT_WARNED


def _dedupe_keys(team_id: str, event_id: str | None, channel: str, ts: str) -> list[str]:
    keys = [f"slack:msg:{team_id}:{channel}:{ts}"]
    if event_id:
        keys.append(f"slack:event:{team_id}:{event_id}")
    return keys


def _message(
    conversation: Conversation, direction: str, body: str, user: str, ts: str, status: str
) -> Message:
    return Message(
        workspace_id=conversation.workspace_id,
        conversation_id=conversation.id,
        direction=direction,
        body=body,
        status=status,
        sender_user_id=user,
        slack_ts=ts,
        created_at=utcnow(),
    )


def _not_assigned(session: Session, workspace_id: int, number: SmsNumber) -> str:
    admins = roles.members_with(session, workspace_id, Role.ADMIN)
    ask = ", ".join(f"<@{admin}>" for admin in admins) or "a Slack admin of smsbridge"
    name = f"{number.label} ({format_phone(number.e164)})" if number.label else format_phone(
        number.e164
    )
    return (
        f"Not sent: you can't text from {name} because it isn't assigned to you. "
        f"Ask {ask} to assign it to you, or a manager to take the conversation over."
    )
