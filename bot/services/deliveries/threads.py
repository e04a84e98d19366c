"""A conversation's thread in its number's channel: the root is posted once, whoever needs
the thread first (an inbound text, a text composed in the New message window)."""

from __future__ import annotations

from sqlalchemy import update

from bot.services import conversation_card
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from bot.services.deliveries.snapshot import MessageSnapshot
from storage.models import Conversation


def root_key(conversation_id: int) -> str:
    return f"conv:{conversation_id}:root"


def ensure_thread(ctx: DeliveryContext, snap: MessageSnapshot) -> str:
    """The thread's ts, posting the root first when the conversation has none yet."""
    conversation = snap.conversation
    if conversation.thread_ts is not None:
        return conversation.thread_ts
    with ctx.session_factory.begin() as session:
        current = session.get(Conversation, conversation.id)
        assert current is not None
        text, blocks = conversation_card.render(session, current)
    thread_ts = post_once(
        ctx, team_id=snap.team_id, workspace_id=snap.workspace_id,
        key=root_key(conversation.id), channel=conversation.channel_id, thread_ts=None,
        text=text, blocks=blocks,
    )
    with ctx.session_factory.begin() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id, Conversation.thread_ts.is_(None))
            .values(thread_ts=thread_ts)
        )
    return thread_ts
