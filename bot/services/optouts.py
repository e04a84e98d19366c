"""Opt-outs (CTIA/TCPA): a customer who texts STOP gets nothing more from that sender until
START. Recorded per (SMS number, contact), or per Messaging Service when the number sends
through one (then it covers every number of the service). Every send path asks
`is_opted_out` / `refusal_for` before Twilio is called; changes go to the audit log and
show in the conversation's thread.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.optouts import (
    build_help_reply_note,
    build_opt_in_note,
    build_opt_out_note,
    build_opt_out_refusal,
)
from bot.keywords import KeywordKind, classify
from bot.phones import format_phone, mask_phone
from bot.segments import count_segments
from bot.services import outbox_items
from bot.twilio_errors import OPT_OUT_ERROR
from storage.models import Contact, Conversation, Direction, Message, OptOut, SmsNumber, Workspace
from storage.repositories import audit, optouts

log = logging.getLogger(__name__)

CUSTOMER_ACTOR = "customer"
TWILIO_ACTOR = "twilio"


def scopes_for(number: SmsNumber) -> list[str]:
    """Where an opt-out from `number` may be recorded: the number, and its service."""
    scopes = [f"number:{number.id}"]
    if number.messaging_service_sid:
        scopes.append(f"service:{number.messaging_service_sid}")
    return scopes


def is_opted_out(session: Session, *, number_id: int, contact_id: int) -> OptOut | None:
    """The opt-out in force for texts from the number to the contact, if any."""
    number = session.get(SmsNumber, number_id)
    assert number is not None
    return optouts.active(session, contact_id=contact_id, scopes=scopes_for(number))


def refusal_for(session: Session, *, number_id: int, contact_id: int) -> str | None:
    """The sentence telling a sender why nothing may be texted, or None when it may."""
    found = is_opted_out(session, number_id=number_id, contact_id=contact_id)
    if found is None:
        return None
    number = session.get(SmsNumber, number_id)
    contact = session.get(Contact, contact_id)
    assert number is not None and contact is not None
    name = format_phone(number.e164)
    if number.label:
        name = f"{number.label} ({name})"
    return build_opt_out_refusal(
        contact_e164=contact.e164, number_name=name, keyword=found.keyword, at=found.opted_out_at
    )


def opt_out(
    session: Session, *, number: SmsNumber, contact: Contact, keyword: str, actor: str,
    now: datetime,
) -> bool:
    """Record the opt-out (service-wide when the number has a service); False if it was
    already in force."""
    scopes = scopes_for(number)
    if optouts.active(session, contact_id=contact.id, scopes=scopes) is not None:
        return False
    scope = scopes[-1]
    row = optouts.for_scope(session, contact_id=contact.id, scope=scope)
    if row is None:
        row = OptOut(workspace_id=number.workspace_id, contact_id=contact.id, scope=scope)
        session.add(row)
    row.keyword, row.source, row.opted_out_at = keyword, actor, now
    row.lifted_at = row.lifted_by = None
    _audit(session, "optout", number=number, contact=contact, actor=actor, keyword=keyword,
           scope=scope)
    log.info("%s opted out of %s (%s)", mask_phone(contact.e164), scope, keyword)
    return True


def opt_in(
    session: Session, *, number: SmsNumber, contact: Contact, keyword: str, now: datetime
) -> bool:
    """Lift every opt-out covering the number; False if there was none."""
    rows = optouts.all_active(session, contact_id=contact.id, scopes=scopes_for(number))
    if not rows:
        return False
    optouts.lift(rows, keyword=keyword, now=now)
    for row in rows:
        _audit(session, "optin", number=number, contact=contact, actor=CUSTOMER_ACTOR,
               keyword=keyword, scope=row.scope)
    log.info("%s opted back in to %s (%s)", mask_phone(contact.e164), number.id, keyword)
    return True


def on_inbound(
    session: Session,
    *,
    number: SmsNumber,
    contact: Contact,
    conversation: Conversation,
    message: Message,
    opt_out_type: str | None,
    help_reply: str | None,
    now: datetime,
) -> list[int]:
    """Act on a keyword in a customer's stored text; returns outbox item ids to enqueue.

    The text itself is posted in the thread like any other; this adds the visible note (and
    the root's status), or the configured HELP answer."""
    keyword = classify(message.body, opt_out_type=opt_out_type)
    if keyword is None:
        return []
    key = f"msg:{message.id}:keyword"
    if keyword.kind == KeywordKind.OPT_OUT:
        if not opt_out(session, number=number, contact=contact, keyword=keyword.word,
                       actor=CUSTOMER_ACTOR, now=now):
            return []
        text = build_opt_out_note(keyword=keyword.word, at=now)
    elif keyword.kind == KeywordKind.OPT_IN:
        if not opt_in(session, number=number, contact=contact, keyword=keyword.word, now=now):
            return []
        text = build_opt_in_note(keyword=keyword.word, at=now)
    else:
        return _help_reply(session, conversation=conversation, text=help_reply, key=key, now=now)
    return [
        outbox_items.thread_note(
            session, workspace_id=number.workspace_id, conversation_id=conversation.id, key=key,
            text=text, refresh_root=True, now=now,
        )
    ]


def on_twilio_opt_out(session: Session, *, message: Message, now: datetime) -> list[int]:
    """Twilio answered 21610 for `message`: the customer is unsubscribed there, so record it."""
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation is not None
    number = session.get(SmsNumber, conversation.number_id)
    contact = session.get(Contact, conversation.contact_id)
    assert number is not None and contact is not None
    keyword = str(OPT_OUT_ERROR)
    if not opt_out(session, number=number, contact=contact, keyword=keyword, actor=TWILIO_ACTOR,
                   now=now):
        return []
    return [
        outbox_items.thread_note(
            session, workspace_id=number.workspace_id, conversation_id=conversation.id,
            key=f"msg:{message.id}:21610", text=build_opt_out_note(keyword=keyword, at=now),
            refresh_root=True, now=now,
        )
    ]


def refuse_send(session: Session, *, message_id: int, now: datetime) -> list[int] | None:
    """Right before Twilio is called: when the contact opted out since the send was queued,
    mark the message failed (21610) and tell its sender why; None when it may go."""
    message = session.get(Message, message_id)
    assert message is not None
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation is not None
    refusal = refusal_for(
        session, number_id=conversation.number_id, contact_id=conversation.contact_id
    )
    if refusal is None:
        return None
    message.status, message.error_code = "failed", OPT_OUT_ERROR
    ids = [
        outbox_items.status_update(
            session, workspace_id=message.workspace_id, message_id=message.id, now=now
        )
    ]
    workspace = session.get(Workspace, message.workspace_id)
    assert workspace is not None
    if message.sender_user_id:
        ids.append(
            outbox_items.notice(
                session, workspace_id=workspace.id, team_id=workspace.team_id,
                channel=conversation.channel_id, user=message.sender_user_id, text=refusal,
                thread_ts=conversation.thread_ts, now=now,
            )
        )
    return ids


def _help_reply(
    session: Session, *, conversation: Conversation, text: str | None, key: str, now: datetime
) -> list[int]:
    """By default Twilio answers HELP itself and the app stays silent; with
    SMSBRIDGE_HELP_REPLY set, the app texts that answer and shows it in the thread."""
    if not text or refusal_for(
        session, number_id=conversation.number_id, contact_id=conversation.contact_id
    ):
        return []
    message = Message(
        workspace_id=conversation.workspace_id,
        conversation_id=conversation.id,
        direction=Direction.OUTBOUND,
        body=text,
        status="pending",
        sender_user_id=None,
        num_segments=count_segments(text).segments,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return [
        outbox_items.thread_note(
            session, workspace_id=conversation.workspace_id, conversation_id=conversation.id,
            key=key, text=build_help_reply_note(text), refresh_root=False,
            message_id=message.id, now=now,
        ),
        outbox_items.sms_send(
            session, workspace_id=conversation.workspace_id, conversation_id=conversation.id,
            message_id=message.id, now=now,
        ),
    ]


def _audit(
    session: Session, action: str, *, number: SmsNumber, contact: Contact, actor: str,
    keyword: str, scope: str,
) -> None:
    where = scope.split(":", 1)[1] if scope.startswith("service:") else number.e164
    audit.record(
        session, workspace_id=number.workspace_id, actor=actor, action=action,
        subject=f"{contact.e164} on {where}", detail={"keyword": keyword, "scope": scope},
        number_e164=number.e164, contact_e164=contact.e164,
    )
