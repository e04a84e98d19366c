"""A chat composed for a coworker: posted by the app in its DM with them, naming the
sender, exactly once."""

from __future__ import annotations

from sqlalchemy import update

from bot.blocks.composed import build_internal_chat
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_posting import post_once
from storage.models import InternalChat, OutboxItem, Workspace


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    chat_id = int((item.payload or {})["chat_id"])
    with ctx.session_factory.begin() as session:
        chat = session.get(InternalChat, chat_id)
        workspace = session.get(Workspace, item.workspace_id)
        assert chat is not None and workspace is not None
        team_id = workspace.team_id
        sender, recipient, body = chat.sender_user_id, chat.recipient_user_id, chat.body
        if chat.slack_ts:
            return []
    slack = ctx.slack_for(team_id)
    channel = slack.open_dm(recipient)
    text, blocks = build_internal_chat(sender=sender, team_id=team_id, body=body)
    ts = post_once(
        ctx, team_id=team_id, workspace_id=item.workspace_id, key=f"chat:{chat_id}",
        channel=channel, thread_ts=None, text=text, blocks=blocks,
    )
    with ctx.session_factory.begin() as session:
        session.execute(
            update(InternalChat).where(InternalChat.id == chat_id)
            .values(slack_ts=ts, dm_channel_id=channel)
        )
    return []
