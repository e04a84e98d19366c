"""The card of a conversation as the database has it now (root post and every update)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.card import build_conversation_card
from bot.services import optouts
from storage.models import Contact, Conversation, ConversationStatus, SmsNumber
from storage.repositories import escalations


def render(session: Session, conversation: Conversation) -> tuple[str, list[dict[str, Any]]]:
    contact = session.get(Contact, conversation.contact_id)
    number = session.get(SmsNumber, conversation.number_id)
    assert contact is not None and number is not None
    waiting = escalations.pending(session, conversation.id)
    managers = sorted({user for e in waiting for user in e.recipients.get("managers", [])})
    channels = [e.channel_id for e in waiting if e.channel_id]
    opted_out = optouts.is_opted_out(session, number_id=number.id, contact_id=contact.id)
    return build_conversation_card(
        conversation_id=conversation.id,
        contact_name=contact.name,
        contact_e164=contact.e164,
        contact_company=contact.company,
        number_e164=number.e164,
        number_label=number.label,
        closed=conversation.status == ConversationStatus.CLOSED,
        assigned_to=conversation.assigned_to,
        taken_over_by=conversation.taken_over_by,
        escalated_to=managers,
        escalated_to_channel=channels[-1] if channels else None,
        last_activity_at=conversation.last_activity_at,
        opted_out_at=opted_out.opted_out_at if opted_out else None,
        opted_out_by=opted_out.keyword if opted_out else "STOP",
    )
