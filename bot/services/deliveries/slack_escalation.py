"""An escalation's notices: a DM to each chosen manager and a post in the escalations
channel, each posted once (ts remembered in slack_posts) and re-rendered once taken over."""

from __future__ import annotations

from functools import partial

from bot.blocks.card import number_line
from bot.blocks.conversation import contact_label
from bot.blocks.escalation import build_escalation_notice
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.slack_card import conversation_and_team
from bot.services.deliveries.slack_posting import post_once
from bot.services.outcomes import GiveUp
from storage.models import Contact, Escalation, OutboxItem, SmsNumber


def notice_key(escalation_id: int, recipient: str) -> str:
    return f"esc:{escalation_id}:{recipient}"


def deliver(ctx: DeliveryContext, item: OutboxItem) -> list[int]:
    payload = item.payload or {}
    with ctx.session_factory.begin() as session:
        escalation = session.get(Escalation, payload["escalation_id"])
        assert escalation is not None
        conversation, team_id = conversation_and_team(session, escalation.conversation_id)
        contact = session.get(Contact, conversation.contact_id)
        number = session.get(SmsNumber, conversation.number_id)
        assert contact is not None and number is not None
        if conversation.thread_ts is None:
            raise GiveUp("an escalation needs the conversation's thread to link to")
        thread = (conversation.channel_id, conversation.thread_ts)
        recipients = list(escalation.recipients.get("managers", []))
        channel_id = escalation.channel_id
        escalation_id, taken_over_by = escalation.id, escalation.taken_over_by
        render = partial(
            build_escalation_notice,
            conversation_id=conversation.id,
            contact=contact_label(name=contact.name, e164=contact.e164),
            number=number_line(number_e164=number.e164, number_label=number.label),
            reason=escalation.reason, urgency=escalation.urgency,
            escalated_by=escalation.escalated_by, taken_over_by=taken_over_by,
        )
    slack = ctx.slack_for(team_id)
    text, blocks = render(permalink=slack.permalink(channel=thread[0], ts=thread[1]))
    targets = [(notice_key(escalation_id, user), slack.open_dm(user)) for user in recipients]
    if channel_id:
        targets.append((notice_key(escalation_id, channel_id), channel_id))
    for key, channel in targets:
        ts = post_once(
            ctx, team_id=team_id, workspace_id=item.workspace_id, key=key, channel=channel,
            thread_ts=None, text=text, blocks=blocks,
        )
        if taken_over_by:
            slack.update_message(channel=channel, ts=ts, text=text, blocks=blocks)
    return []
