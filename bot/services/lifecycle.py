"""Assign, close, reopen, take over, release: a conversation's lifecycle from its card.

Every action is checked here (whoever calls), written to the audit log, and followed by a
card update (and a thread note where the whole team should know); a refusal is told to
the person as an ephemeral, with the reason."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotFound
from bot.services import lifecycle_items, outbox_items
from bot.services.clock import utcnow
from bot.services.jobs import JobQueue
from bot.services.permissions import may_send_from
from storage.models import Conversation, ConversationStatus, Role
from storage.repositories import audit, conversations, escalations, roles, workspaces

log = logging.getLogger(__name__)


class CardAction(enum.StrEnum):
    ASSIGN = "assign"
    CLOSE = "close"
    REOPEN = "reopen"
    TAKE_OVER = "take_over"
    RELEASE = "release"


@dataclass(frozen=True)
class ActionOutcome:
    done: bool
    message: str


def subject(conversation: Conversation) -> str:
    return f"conversation:{conversation.id}"


def reply_blocked_by_owner(conversation: Conversation, user: str) -> str | None:
    """While a manager has the conversation taken over, only they text the customer: the
    reason another person's reply is kept as a note, or None when it may be texted."""
    owner = conversation.taken_over_by
    if owner is None or owner == user:
        return None
    return (
        f"Kept as a note, not texted: <@{owner}> has taken this conversation over, so only "
        "they text the customer for now. Ask them to release it if you should take it back."
    )


def after_inbound(
    session: Session, conversation: Conversation, *, reopened: bool, now: datetime
) -> None:
    """A customer's text arrived (its post is already in the lane): refresh the card's last
    activity, and when it reopened a closed conversation, tell whoever had it (ephemeral
    in the thread)."""
    if conversation.thread_ts is None:
        return  # the root post will render the card with this state
    lifecycle_items.card_update(session, conversation, now=now)
    told = conversation.assigned_to or conversation.closed_by
    if reopened and told:
        lifecycle_items.thread_notice(
            session, conversation, user=told, now=now,
            text="This conversation was closed; the customer texted again, so it is open "
                 "again in this thread.",
        )
    if reopened:
        audit.record(
            session, workspace_id=conversation.workspace_id, actor="customer",
            action="conversation.reopen", subject=subject(conversation),
            detail={"by": "inbound text", "told": told},
        )


class LifecycleService:
    def __init__(self, *, session_factory: sessionmaker[Session], queue: JobQueue) -> None:
        self.session_factory = session_factory
        self.queue = queue

    def act(
        self, *, team_id: str, user: str, conversation_id: int, action: CardAction,
        channel: str,
    ) -> ActionOutcome:
        """Run a card (or escalation notice) button for `user`, who clicked in `channel`."""
        now = utcnow()
        item_ids: list[int] = []
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            found = (
                None if workspace is None else session.get(Conversation, conversation_id)
            )
            if workspace is None or found is None or found.workspace_id != workspace.id:
                raise NotFound("That conversation is not known here any more.")
            conversation = conversations.lock(session, found.id)
            is_manager = Role.MANAGER in roles.roles_of(session, workspace.id, user)
            refusal = _refusal(session, conversation, user, action, is_manager=is_manager)
            if refusal is not None:
                audit.record(
                    session, workspace_id=workspace.id, actor=user, action="conversation.refused",
                    subject=subject(conversation), detail={"action": action, "reason": refusal},
                )
                outcome = ActionOutcome(False, refusal)
            else:
                message, note = _apply(session, conversation, user, action, now=now)
                audit.record(
                    session, workspace_id=workspace.id, actor=user,
                    action=f"conversation.{action}", subject=subject(conversation),
                    detail={"status": conversation.status, "assigned_to": conversation.assigned_to,
                            "taken_over_by": conversation.taken_over_by},
                )
                item_ids.append(lifecycle_items.card_update(session, conversation, now=now))
                if note:
                    item_ids.append(
                        lifecycle_items.thread_note(session, conversation, text=note, now=now)
                    )
                if action == CardAction.TAKE_OVER:
                    for escalation in escalations.of_conversation(session, conversation.id):
                        item_ids.append(lifecycle_items.escalation_notices(
                            session, conversation, escalation_id=escalation.id, now=now))
                outcome = ActionOutcome(True, message)
            item_ids.append(outbox_items.notice(
                session, workspace_id=workspace.id, team_id=team_id, channel=channel,
                user=user, text=outcome.message, thread_ts=None, now=now,
            ))
        for item_id in item_ids:
            self.queue.enqueue(item_id)
        return outcome


def _refusal(
    session: Session, conversation: Conversation, user: str, action: CardAction, *,
    is_manager: bool,
) -> str | None:
    owner = conversation.taken_over_by
    if action == CardAction.TAKE_OVER:
        if not is_manager:
            return "Only managers can take a conversation over; escalate it to a manager instead."
        if owner == user:
            return "You have already taken this conversation over."
        return None
    if action == CardAction.RELEASE:
        if owner is None:
            return "Nobody has taken this conversation over; there is nothing to release."
        if owner != user and not is_manager:
            return f"Only <@{owner}> (who took it over) or a manager can release it."
        return None
    if not may_send_from(
        session, workspace_id=conversation.workspace_id, user_id=user,
        number_id=conversation.number_id,
    ):
        return ("You can't do that: this conversation's SMS number isn't assigned to you. "
                "Ask an admin to assign it to you, or escalate to a manager.")
    if owner is not None and owner != user and not is_manager:
        return f"<@{owner}> has taken this conversation over; only they or a manager can do that."
    closed = conversation.status == ConversationStatus.CLOSED
    if action == CardAction.CLOSE and closed:
        return "This conversation is already closed."
    if action == CardAction.REOPEN and not closed:
        return "This conversation is already open."
    if action == CardAction.ASSIGN and conversation.assigned_to == user:
        return "This conversation is already assigned to you."
    return None


def _apply(
    session: Session, conversation: Conversation, user: str, action: CardAction, *,
    now: datetime,
) -> tuple[str, str | None]:
    """Change the state; returns (what the person is told, the thread note or None)."""
    if action == CardAction.ASSIGN:
        conversation.assigned_to = user
        return "The conversation is assigned to you.", None
    if action == CardAction.CLOSE:
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_by = user
        return ("Closed. If the customer texts again it reopens here and you are told.",
                f":white_check_mark: <@{user}> closed this conversation.")
    if action == CardAction.REOPEN:
        conversation.status = ConversationStatus.OPEN
        return "Reopened.", f":arrows_counterclockwise: <@{user}> reopened this conversation."
    if action == CardAction.TAKE_OVER:
        previous = conversation.taken_over_by
        conversation.taken_over_by = user
        conversation.assigned_to = user
        conversation.status = ConversationStatus.OPEN
        for escalation in escalations.pending(session, conversation.id):
            escalation.taken_over_by = user
            escalation.taken_over_at = now
        from_whom = f" from <@{previous}>" if previous else ""
        return (
            "You have taken this conversation over: only your replies are texted now. "
            "Release it from the card when you are done.",
            f":raising_hand: <@{user}> took this conversation over{from_whom}; replies from "
            "others in this thread stay notes until it is released.",
        )
    conversation.taken_over_by = None
    return ("Released: people assigned to the number can text the customer again.",
            f":unlock: <@{user}> released this conversation.")
