"""A read-only view of one message with its conversation, number, contact and workspace."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.models import Contact, Conversation, Message, SmsNumber, Workspace
from storage.repositories import media


@dataclass(frozen=True)
class MessageSnapshot:
    message: Message
    conversation: Conversation
    number: SmsNumber
    contact: Contact
    team_id: str
    has_media: bool = False

    @property
    def workspace_id(self) -> int:
        return self.conversation.workspace_id


def load(session: Session, message_id: int) -> MessageSnapshot:
    message = session.get(Message, message_id)
    assert message is not None, f"outbox names message {message_id}, which does not exist"
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation is not None
    number = session.get(SmsNumber, conversation.number_id)
    contact = session.get(Contact, conversation.contact_id)
    workspace = session.get(Workspace, conversation.workspace_id)
    assert number is not None and contact is not None and workspace is not None
    return MessageSnapshot(
        message, conversation, number, contact, workspace.team_id,
        has_media=media.has_media(session, message_id),
    )
