"""A text composed in the New message window (or `/sms`), shown in its conversation's
thread so the channel sees it like any reply; then the sender is told where it went."""

from __future__ import annotations

from sqlalchemy import update

from bot.blocks.composed import build_outbound_echo, build_sms_confirmation
from bot.blocks.conversation import contact_label
from bot.phones import format_phone
from bot.services import outbox_items
from bot.services.clock import utcnow
from bot.services.deliveries import snapshot
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from bot.services.deliveries.threads import ensure_thread
from storage.models import Message, OutboxItem


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    assert item.message_id is not None
    payload = item.payload or {}
    with ctx.session_factory.begin() as session:
        snap = snapshot.load(session, item.message_id)
    message = snap.message
    thread_ts = ensure_thread(ctx, snap)
    ts = post_once(
        ctx, team_id=snap.team_id, workspace_id=snap.workspace_id,
        key=f"msg:{message.id}:echo", channel=snap.conversation.channel_id, thread_ts=thread_ts,
        text=build_outbound_echo(sender=message.sender_user_id or "someone", body=message.body),
    )
    permalink = ctx.slack_for(snap.team_id).permalink(
        channel=snap.conversation.channel_id, ts=thread_ts
    )
    number = snap.number
    now = utcnow()
    with ctx.session_factory.begin() as session:
        session.execute(
            update(Message).where(Message.id == message.id, Message.slack_ts.is_(None))
            .values(slack_ts=ts)
        )
        follow_ups = [
            # the echo carries the delivery state, like a reply typed in the thread
            outbox_items.status_update(
                session, workspace_id=snap.workspace_id, message_id=message.id, now=now
            ),
        ]
        if payload.get("confirm_user"):
            follow_ups.append(outbox_items.confirm(
                session, workspace_id=snap.workspace_id, team_id=snap.team_id,
                message_id=message.id, user=payload["confirm_user"],
                channel=payload.get("confirm_channel"), now=now,
                text=build_sms_confirmation(
                    contact=contact_label(name=snap.contact.name, e164=snap.contact.e164),
                    number=f"{number.label} ({format_phone(number.e164)})" if number.label
                    else format_phone(number.e164),
                    permalink=permalink,
                ),
            ))
    return follow_ups
