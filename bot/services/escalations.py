"""Flow 5: hand a conversation up. The modal is offered from the card or the message
shortcut; on submit the escalation, its thread note, card update and managers' notices
are committed together and delivered through the outbox (each exactly once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.conversation import contact_label
from bot.blocks.escalation import build_escalation_modal, build_escalation_note
from bot.errors import InvalidInput, NotFound, SlackError
from bot.gateways.slack import SlackGateway
from bot.services import lifecycle_items
from bot.services.clock import utcnow
from bot.services.jobs import JobQueue
from bot.services.lifecycle import subject
from storage.models import Contact, Conversation, Escalation, Role, Urgency, Workspace
from storage.repositories import audit, conversations, escalations, roles, workspaces

NOT_A_THREAD = (
    "Escalate works on the messages of a customer conversation: use it on a message in an "
    "SMS conversation thread (or the Escalate button on the thread's first message)."
)
MAX_REASON = 2000


@dataclass(frozen=True)
class EscalationRequest:
    """What the modal carried, as typed."""

    conversation_id: int
    reason: str
    urgency: str
    target: str | None  # a manager's user id, "all", or None when there was no choice


class EscalationService:
    def __init__(
        self, *, session_factory: sessionmaker[Session], queue: JobQueue,
        slack_for: Callable[[str], SlackGateway],
    ) -> None:
        self.session_factory = session_factory
        self.queue = queue
        self.slack_for = slack_for

    def modal_for_message(
        self, *, team_id: str, user: str, channel: str, message: dict[str, Any]
    ) -> dict[str, Any]:
        """The modal for the message shortcut; NotFound when the message is not in a
        conversation thread."""
        thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
        with self.session_factory.begin() as session:
            workspace = workspaces.by_team(session, team_id)
            conversation = None if workspace is None or not thread_ts else (
                conversations.by_thread(session, workspace.id, channel, thread_ts)
            )
            if conversation is None:
                raise NotFound(NOT_A_THREAD)
            conversation_id = conversation.id
        return self.modal_for_conversation(
            team_id=team_id, user=user, conversation_id=conversation_id
        )

    def modal_for_conversation(
        self, *, team_id: str, user: str, conversation_id: int
    ) -> dict[str, Any]:
        with self.session_factory.begin() as session:
            workspace, conversation = _conversation(session, team_id, conversation_id)
            contact = session.get(Contact, conversation.contact_id)
            assert contact is not None
            managers = _managers_but(session, workspace.id, user)
            channel_id = _escalations_channel(session, workspace.id)
            if not managers and not channel_id:
                raise InvalidInput(
                    "There is nobody to escalate to: no other manager and no escalations "
                    "channel is set up. Ask an admin (`smsbridge roles grant … manager`)."
                )
            label = contact_label(name=contact.name, e164=contact.e164)
        slack = self.slack_for(team_id)
        return build_escalation_modal(
            conversation_id=conversation_id, contact=label,
            managers=[(manager, _name(slack, manager)) for manager in managers],
            channel_id=channel_id,
        )

    def submit(self, *, team_id: str, user: str, request: EscalationRequest) -> None:
        """Record the escalation; InvalidInput names the modal block to fix."""
        reason = request.reason.strip()
        if not reason:
            raise InvalidInput("Say why it needs a manager.", field=ids.ESCALATE_REASON_BLOCK)
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.",
                               field=ids.ESCALATE_REASON_BLOCK)
        if request.urgency not in {u.value for u in Urgency}:
            raise InvalidInput("Pick normal or urgent.", field=ids.ESCALATE_URGENCY_BLOCK)
        now = utcnow()
        with self.session_factory.begin() as session:
            workspace, conversation = _conversation(session, team_id, request.conversation_id)
            conversation = conversations.lock(session, conversation.id)
            managers = _managers_but(session, workspace.id, user)
            if request.target not in (None, ids.ESCALATE_TARGET_ALL):
                if request.target not in managers:
                    raise InvalidInput("That person is not a manager any more; pick again.",
                                       field=ids.ESCALATE_TARGET_BLOCK)
                managers = [request.target]
            channel_id = _escalations_channel(session, workspace.id)
            if not managers and not channel_id:
                raise InvalidInput("There is nobody to escalate to any more.",
                                   field=ids.ESCALATE_REASON_BLOCK)
            escalation = Escalation(
                workspace_id=workspace.id, conversation_id=conversation.id, escalated_by=user,
                reason=reason, urgency=request.urgency, recipients={"managers": managers},
                channel_id=channel_id, created_at=now,
            )
            session.add(escalation)
            session.flush()
            audit.record(
                session, workspace_id=workspace.id, actor=user, action="conversation.escalate",
                subject=subject(conversation),
                detail={"escalation": escalation.id, "urgency": request.urgency,
                        "managers": managers, "channel": channel_id},
            )
            targets = [f"<@{m}>" for m in managers] + ([f"<#{channel_id}>"] if channel_id else [])
            note = build_escalation_note(
                escalated_by=user, reason=reason, urgency=request.urgency, targets=targets
            )
            item_ids = [
                lifecycle_items.thread_note(session, conversation, text=note, now=now),
                lifecycle_items.card_update(session, conversation, now=now),
                lifecycle_items.escalation_notices(
                    session, conversation, escalation_id=escalation.id, now=now
                ),
            ]
        for item_id in item_ids:
            self.queue.enqueue(item_id)


def _conversation(
    session: Session, team_id: str, conversation_id: int
) -> tuple[Workspace, Conversation]:
    workspace = workspaces.by_team(session, team_id)
    conversation = session.get(Conversation, conversation_id)
    if workspace is None or conversation is None or conversation.workspace_id != workspace.id:
        raise NotFound("That conversation is not known here any more.")
    return workspace, conversation


def _managers_but(session: Session, workspace_id: int, user: str) -> list[str]:
    """Managers to escalate to: a manager escalating onward reaches the others."""
    return [m for m in roles.members_with(session, workspace_id, Role.MANAGER) if m != user]


def _escalations_channel(session: Session, workspace_id: int) -> str | None:
    setting = escalations.setting(session, workspace_id)
    return setting.channel_id if setting else None


def _name(slack: SlackGateway, user: str) -> str:
    try:
        return slack.user_name(user)
    except SlackError:
        return user  # a member Slack no longer knows still shows, by id
