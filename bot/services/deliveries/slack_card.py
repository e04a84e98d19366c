"""The thread's root card, updated in place with whatever the conversation's state is now."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.services import conversation_card
from bot.services.deliveries.context import DeliveryContext
from storage.models import Conversation, OutboxItem, Workspace
from storage.repositories import outbox


def conversation_and_team(session: Session, conversation_id: int) -> tuple[Conversation, str]:
    """The conversation an item names, with its workspace's team id (for `slack_for`)."""
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None, f"outbox names conversation {conversation_id}, gone"
    workspace = session.get(Workspace, conversation.workspace_id)
    assert workspace is not None
    return conversation, workspace.team_id


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    payload = item.payload or {}
    with ctx.session_factory.begin() as session:
        if outbox.has_later(session, item):
            return []  # a later card update in this lane renders the newer state anyway
        conversation, team_id = conversation_and_team(session, payload["conversation_id"])
        if conversation.thread_ts is None:
            return []  # the root is not posted yet; it will show the state when it is
        channel, ts = conversation.channel_id, conversation.thread_ts
        text, blocks = conversation_card.render(session, conversation)
    ctx.slack_for(team_id).update_message(channel=channel, ts=ts, text=text, blocks=blocks)
    return []
