"""The app's own note in a conversation thread (opt-out, opt-in, the HELP answer), posted
once; then the thread's root card is re-rendered so it shows the current opt-out state."""

from __future__ import annotations

from sqlalchemy import update

from bot.services import conversation_card, outbox_items
from bot.services.clock import utcnow
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from storage.models import Contact, Conversation, Message, OutboxItem, SmsNumber, Workspace


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    payload = item.payload or {}
    with ctx.session_factory.begin() as session:
        conversation = session.get(Conversation, int(payload["conversation_id"]))
        assert conversation is not None
        number = session.get(SmsNumber, conversation.number_id)
        contact = session.get(Contact, conversation.contact_id)
        workspace = session.get(Workspace, conversation.workspace_id)
        assert number is not None and contact is not None and workspace is not None
        session.expunge_all()
    if conversation.thread_ts is None:
        return []  # no thread yet: its root will be built with the state when it is posted
    ts = post_once(
        ctx, team_id=workspace.team_id, workspace_id=workspace.id, key=str(payload["key"]),
        channel=conversation.channel_id, thread_ts=conversation.thread_ts,
        text=str(payload["text"]),
    )
    if payload.get("refresh_root"):
        with ctx.session_factory.begin() as session:
            current = session.get(Conversation, conversation.id)
            assert current is not None
            text, blocks = conversation_card.render(session, current)
        ctx.slack_for(workspace.team_id).update_message(
            channel=conversation.channel_id, ts=conversation.thread_ts, text=text, blocks=blocks
        )
    if item.message_id is None:
        return []
    with ctx.session_factory.begin() as session:
        session.execute(update(Message).where(Message.id == item.message_id).values(slack_ts=ts))
        return [
            outbox_items.status_update(
                session, workspace_id=workspace.id, message_id=item.message_id, now=utcnow()
            )
        ]
