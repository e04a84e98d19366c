"""A reply's delivery state shown in Slack: one reaction on the reply, and for a failure
a note in the thread saying why."""

from __future__ import annotations

from sqlalchemy import update

from bot.blocks.conversation import FAILED_STATUSES, STATUS_REACTIONS, build_failure_note
from bot.errors import SlackError
from bot.services.deliveries import snapshot
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from storage.models import Message, OutboxItem


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    assert item.message_id is not None
    with ctx.session_factory.begin() as session:
        snap = snapshot.load(session, item.message_id)
    message, conversation = snap.message, snap.conversation
    if not message.slack_ts:
        return []
    slack = ctx.slack_for(snap.team_id)
    wanted = STATUS_REACTIONS.get(message.status)
    if wanted != message.status_shown:
        try:
            if message.status_shown:
                slack.remove_reaction(
                    channel=conversation.channel_id, ts=message.slack_ts, name=message.status_shown
                )
            if wanted:
                slack.add_reaction(
                    channel=conversation.channel_id, ts=message.slack_ts, name=wanted
                )
        except SlackError as exc:
            if exc.code != "message_not_found":
                raise
            wanted = None  # the reply was deleted; the thread note below still tells
        with ctx.session_factory.begin() as session:
            session.execute(
                update(Message).where(Message.id == message.id).values(status_shown=wanted)
            )
    if message.status in FAILED_STATUSES and conversation.thread_ts:
        post_once(
            ctx, team_id=snap.team_id, workspace_id=snap.workspace_id,
            key=f"msg:{message.id}:failure", channel=conversation.channel_id,
            thread_ts=conversation.thread_ts,
            text=build_failure_note(
                contact_e164=snap.contact.e164, status=message.status,
                error_code=message.error_code,
            ),
        )
    return []
