"""Typed ORM models. Every row is scoped to a workspace; provider ids are unique."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


# Lower-cased names searched by prefix with range queries: byte order on both databases
# (PostgreSQL's locale collations would break `key >= q AND key < q || U+10FFFF`).
SEARCH_KEY = String(255).with_variant(String(255, collation="C"), "postgresql")


def _e164_of_row(context: Any) -> Any:
    return context.get_current_parameters().get("e164")


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    NOTE = "note"


class ConversationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberRole(Base):
    __tablename__ = "member_roles"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SmsNumber(Base):
    """A company SMS number; unique across workspaces, so an inbound text finds its workspace."""

    __tablename__ = "sms_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    label: Mapped[str | None] = mapped_column(String(120))
    messaging_service_sid: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberAssignment(Base):
    __tablename__ = "number_assignments"
    __table_args__ = (UniqueConstraint("number_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("sms_numbers.id"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), index=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "e164"),
        Index("ix_contacts_name_key", "workspace_id", "name_key"),  # issue 4: picker search
        Index("ix_contacts_phone_key", "workspace_id", "phone_key"),  # issue 4: picker search
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    e164: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(255))
    company: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    name_key: Mapped[str | None] = mapped_column(SEARCH_KEY)  # issue 4: search_key(name)
    phone_key: Mapped[str | None] = mapped_column(SEARCH_KEY, default=_e164_of_row)  # issue 4


class Conversation(Base):
    """(SMS number, contact): one thread in the number's channel."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("number_id", "contact_id"),
        UniqueConstraint("channel_id", "thread_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("sms_numbers.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.OPEN)
    assigned_to: Mapped[str | None] = mapped_column(String(32))
    taken_over_by: Mapped[str | None] = mapped_column(String(32))  # issue 5: reply lock owner
    closed_by: Mapped[str | None] = mapped_column(String(32))  # issue 5: told on reopen
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    """One SMS/MMS in or out, or a note kept in Slack."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "slack_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None] = mapped_column(Integer)
    twilio_sid: Mapped[str | None] = mapped_column(String(40), unique=True)
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    sender_user_id: Mapped[str | None] = mapped_column(String(32))
    num_segments: Mapped[int] = mapped_column(Integer, default=1)
    send_attempted_at: Mapped[datetime | None] = mapped_column()
    status_shown: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxItem(Base):
    """Work owed to Slack or Twilio, committed with the change that caused it.

    Items of one `lane` run in id order; a lease makes a claim exclusive until it expires.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_lane_state", "lane", "state", "id"),
        Index("ix_outbox_state_due", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    payload: Mapped[dict[str, Any] | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    enqueued_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()


class SlackPost(Base):
    """A Slack post the app owes exactly once; `attempted_at` set means: reconcile first."""

    __tablename__ = "slack_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    attempted_at: Mapped[datetime | None] = mapped_column()
    ts: Mapped[str | None] = mapped_column(String(32))


class ChannelPace(Base):
    """When the next chat.postMessage into a channel may go (shared by every process)."""

    __tablename__ = "channel_pace"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_post_at: Mapped[datetime] = mapped_column()


class ProcessedEvent(Base):
    """Keys of provider deliveries already handled (Slack event_id, message ts)."""

    __tablename__ = "processed_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who changed what, when: numbers, roles, assignments, opt-outs, escalations."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # issue 6: indexed filter columns for `smsbridge audit` (no JSON parsing to filter)
    number_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    contact_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    member_id: Mapped[str | None] = mapped_column(String(32), index=True)


# --- issue 5: escalation ---


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class EscalationSetting(Base):
    """Per workspace: the channel that gets every escalation besides the managers' DMs."""

    __tablename__ = "escalation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), unique=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Escalation(Base):
    """A conversation handed up: who, why, to whom; `taken_over_by` once a manager steps in.

    `recipients` are manager user ids; `channel_id` the escalations channel it went to."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    escalated_by: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16), default=Urgency.NORMAL)
    recipients: Mapped[dict[str, Any]] = mapped_column()
    channel_id: Mapped[str | None] = mapped_column(String(32))
    taken_over_by: Mapped[str | None] = mapped_column(String(32))
    taken_over_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- issue 6: opt-outs ---


class OptOut(Base):
    """A contact's opt-out from one SMS number (`scope` "number:<id>") or from every number
    of a Messaging Service (`scope` "service:<MG…>"). Lifted by START: `lifted_at` set."""

    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("contact_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    scope: Mapped[str] = mapped_column(String(64))
    keyword: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    opted_out_at: Mapped[datetime] = mapped_column()
    lifted_at: Mapped[datetime | None] = mapped_column()
    lifted_by: Mapped[str | None] = mapped_column(String(32))




# --- issue 3: MMS media ---


class MediaState(enum.StrEnum):
    """Where one media file is on its way. Inbound: pending → fetched → uploaded →
    completing → shared, or failed. Outbound: pending → stored → removed (after expiry)."""

    PENDING = "pending"
    FETCHED = "fetched"
    UPLOADED = "uploaded"
    COMPLETING = "completing"
    SHARED = "shared"
    FAILED = "failed"
    STORED = "stored"
    REMOVED = "removed"


class MessageMedia(Base):
    """One file of an MMS, in either direction, with the provider ids that make each step
    happen once (the Slack file id is known before the file is shared)."""

    __tablename__ = "message_media"
    __table_args__ = (UniqueConstraint("message_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(127))
    source_url: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    local_path: Mapped[str | None] = mapped_column(String(500))
    slack_file_id: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=MediaState.PENDING)
    error: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)



# --- issue 4: member directory, internal chats, compose search ---


class Member(Base):
    """A workspace member as `users.list` last reported them: the internal contacts."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        Index("ix_members_search_key", "workspace_id", "search_key"),
        Index("ix_members_handle_key", "workspace_id", "handle_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(80))
    real_name: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    search_key: Mapped[str] = mapped_column(SEARCH_KEY)
    handle_key: Mapped[str] = mapped_column(SEARCH_KEY)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InternalChat(Base):
    """A direct message one member sent another through the app (💬 in App Home)."""

    __tablename__ = "internal_chats"
    __table_args__ = (
        Index("ix_internal_chats_sender", "workspace_id", "sender_user_id", "created_at"),
        Index("ix_internal_chats_recipient", "workspace_id", "recipient_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    sender_user_id: Mapped[str] = mapped_column(String(32))
    recipient_user_id: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# A member's recent SMS (App Home "Messages"), newest first, without a scan.
Index(
    "ix_messages_sender_recent", Message.workspace_id, Message.sender_user_id, Message.created_at
)
