"""Exactly-once Slack posts: paced per channel, reconciled through message metadata.

A post is recorded as attempted (with its pacing slot) before the call. If the answer is
lost (crash, timeout), the next run finds the message by its metadata key before any
second post.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.errors import RateLimited
from bot.services.clock import utcnow
from bot.services.deliveries.context import DeliveryContext
from bot.services.outcomes import Postpone
from storage.repositories import pacing, slack_posts

RECONCILE_MARGIN = timedelta(seconds=120)


def post_once(
    ctx: DeliveryContext,
    *,
    team_id: str,
    workspace_id: int,
    key: str,
    channel: str,
    thread_ts: str | None,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> str:
    """Post `text` once for `key` and return its ts; raises Postpone when the channel is busy."""
    slack = ctx.slack_for(team_id)
    with ctx.session_factory.begin() as session:
        post = slack_posts.ensure(session, workspace_id=workspace_id, key=key, channel_id=channel)
        if post.ts:
            return post.ts
        attempted_at = post.attempted_at
    if attempted_at is not None:
        oldest = (attempted_at - RECONCILE_MARGIN).timestamp()
        found = slack.find_post(channel=channel, thread_ts=thread_ts, oldest=oldest, post_key=key)
        if found:
            _record(ctx, key, found)
            return found
    pace_key = f"{team_id}:{channel}"
    now = utcnow()
    with ctx.session_factory.begin() as session:
        slot = pacing.reserve(session, pace_key, now=now, interval=ctx.slack_post_interval)
        if slot is not None:
            raise Postpone(slot, f"channel paced until {slot.isoformat()}")
        slack_posts.ensure(
            session, workspace_id=workspace_id, key=key, channel_id=channel
        ).attempted_at = now
    try:
        ts = slack.post_message(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, post_key=key
        )
    except RateLimited as exc:
        until = utcnow() + timedelta(seconds=exc.retry_after)
        with ctx.session_factory.begin() as session:
            pacing.hold_off(session, pace_key, until=until)
            slack_posts.ensure(
                session, workspace_id=workspace_id, key=key, channel_id=channel
            ).attempted_at = attempted_at  # a 429 posted nothing: no reconcile needed
        raise Postpone(until, "Slack asked to retry later") from exc
    _record(ctx, key, ts)
    return ts


def _record(ctx: DeliveryContext, key: str, ts: str) -> None:
    with ctx.session_factory.begin() as session:
        slack_posts.record_ts(session, key, ts)
