"""A customer's text into Slack: the thread's root first (once), then the text in it."""

from __future__ import annotations

from sqlalchemy import update

from bot.blocks.conversation import build_inbound_text
from bot.services.deliveries import slack_media, snapshot
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from bot.services.deliveries.threads import ensure_thread
from storage.models import Message, OutboxItem


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    assert item.message_id is not None
    with ctx.session_factory.begin() as session:
        snap = snapshot.load(session, item.message_id)
    if snap.message.slack_ts:
        return []
    thread_ts = ensure_thread(ctx, snap)
    if snap.has_media:
        ts = slack_media.copy_into_thread(ctx, snap, thread_ts=thread_ts, attempts=item.attempts)
    else:
        ts = post_once(
            ctx, team_id=snap.team_id, workspace_id=snap.workspace_id,
            key=f"msg:{snap.message.id}", channel=snap.conversation.channel_id,
            thread_ts=thread_ts, text=build_inbound_text(snap.message.body),
        )
    if ts:
        with ctx.session_factory.begin() as session:
            session.execute(
                update(Message).where(Message.id == snap.message.id).values(slack_ts=ts)
            )
    return []
