"""Flow 3: the New message window and `/sms`. One way to message anyone: a member gets a
Slack DM (chat), a contact or typed number an SMS from one of the sender's numbers,
through the same durable outbox as thread replies."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput
from bot.phones import format_phone, parse_phone
from bot.segments import count_segments
from bot.services import optouts, outbound_media, outbox_items
from bot.services.clock import utcnow
from bot.services.directory import DirectoryService, Recipient, RecipientKind, admin_names
from bot.services.jobs import JobQueue
from bot.services.outbound_media import SlackFile
from bot.services.permissions import may_send_from
from bot.services.scope import workspace_of
from bot.text import MAX_SMS_CHARS
from storage.models import (
    ConversationStatus,
    Direction,
    InternalChat,
    Message,
    Role,
    SmsNumber,
)
from storage.repositories import contacts, conversations, numbers, roles

MAX_FILES = 10
PHONE_TOKEN = re.compile(r"^[\d+().\-]+$")
MAX_NAME_WORDS = 4


class Field(enum.StrEnum):
    """Where a refusal shows in the modal (the input blocks' ids)."""

    RECIPIENT = "recipient"
    FROM = "from"
    MESSAGE = "message"
    FILES = "files"


@dataclass(frozen=True)
class SenderNumber:
    id: int
    e164: str
    label: str | None
    channel_id: str
    is_default: bool
    assigned: bool = True  # False: a manager's "any number of the workspace"

    @property
    def title(self) -> str:
        phone = format_phone(self.e164)
        return f"{self.label} ({phone})" if self.label else phone


@dataclass(frozen=True)
class ComposeForm:
    """What the New message window shows for one sender at one moment."""

    numbers: list[SenderNumber]  # default first
    admins: list[str]  # names, for "ask …"
    recipient: Recipient | None = None
    number_id: int | None = None
    text: str = ""
    origin_channel: str | None = None
    notice: str | None = None

    @property
    def chosen_number(self) -> SenderNumber | None:
        chosen = [n for n in self.numbers if n.id == self.number_id]
        return chosen[0] if chosen else (self.numbers[0] if self.numbers else None)


class CommandKind(enum.StrEnum):
    HELP = "help"
    MODAL = "modal"
    SENT = "sent"
    REFUSED = "refused"


@dataclass(frozen=True)
class CommandOutcome:
    kind: CommandKind
    text: str = ""
    form: ComposeForm | None = None


@dataclass(frozen=True)
class Sent:
    recipient: Recipient
    number: SenderNumber | None = None
    item_ids: list[int] = field(default_factory=list)


HELP = (
    "*/sms* — message a coworker (💬 chat) or text a customer (📱 SMS)\n"
    "• `/sms` opens the New message window\n"
    "• `/sms +1 555 123 4567 Your order is ready` texts that number from your default number\n"
    "• `/sms Ann Lee Are you free at 3?` messages a coworker or contact by name\n"
    "• `/sms help` shows this\n"
    "Your numbers and default are on the app's Home tab."
)


class ComposeRefused(InvalidInput):
    """A send the modal shows as a field error (`field` is a `Field`)."""


def no_number_text(admins: list[str]) -> str:
    ask = ", ".join(admins) if admins else "a smsbridge administrator"
    return (
        "You have no SMS number yet: SMS numbers are set up by an administrator. "
        f"Ask {ask} to give you one. You can still chat with coworkers."
    )


class ComposeService:
    def __init__(
        self, *, session_factory: sessionmaker[Session], queue: JobQueue,
        directory: DirectoryService,
    ) -> None:
        self.session_factory = session_factory
        self.queue = queue
        self.directory = directory

    def form(
        self, *, team_id: str, user: str, recipient_value: str | None = None,
        number_id: int | None = None, text: str = "", origin_channel: str | None = None,
        notice: str | None = None,
    ) -> ComposeForm:
        """The window's state; the recipient is looked up again (it came from the client)."""
        self.directory.ensure_synced(team_id=team_id)
        recipient = None
        if recipient_value:
            try:
                recipient = self.directory.resolve(team_id=team_id, value=recipient_value)
            except InvalidInput as exc:
                notice = str(exc)
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            sender_numbers = _sender_numbers(session, workspace.id, user)
            admins = admin_names(session, workspace.id)
        return ComposeForm(
            numbers=sender_numbers, admins=admins, recipient=recipient, number_id=number_id,
            text=text, origin_channel=origin_channel, notice=notice,
        )

    def send(
        self, *, team_id: str, sender: str, recipient_value: str | None, number_id: int | None,
        text: str, files: Sequence[Mapping[str, Any]] = (), origin_channel: str | None = None,
    ) -> Sent:
        """Validate everything, then store the message with its outbox items in one
        transaction; raises ComposeRefused naming the field to fix."""
        body = text.strip()
        self.directory.ensure_synced(team_id=team_id)
        if not recipient_value:
            raise ComposeRefused("Choose who to message.", field=Field.RECIPIENT)
        try:
            recipient = self.directory.resolve(team_id=team_id, value=recipient_value)
        except InvalidInput as exc:
            raise ComposeRefused(str(exc), field=Field.RECIPIENT) from exc
        if not body and not files:
            raise ComposeRefused("Write a message.", field=Field.MESSAGE)
        if len(body) > MAX_SMS_CHARS:
            raise ComposeRefused(
                f"A message holds at most {MAX_SMS_CHARS} characters; this one has {len(body)}.",
                field=Field.MESSAGE,
            )
        if len(files) > MAX_FILES:
            raise ComposeRefused(f"At most {MAX_FILES} files per message.", field=Field.FILES)
        if recipient.kind is RecipientKind.MEMBER:
            if files:
                raise ComposeRefused(
                    "Files go to customers as MMS; share a file with a coworker in Slack.",
                    field=Field.FILES,
                )
            return self._chat(team_id, sender, recipient, body)
        try:
            attached = outbound_media.check_files(files)
        except InvalidInput as exc:
            raise ComposeRefused(str(exc), field=Field.FILES) from exc
        return self._text(team_id, sender, recipient, number_id, body, origin_channel, attached)

    def command(
        self, *, team_id: str, user: str, text: str, channel: str | None
    ) -> CommandOutcome:
        """`/sms`, `/sms help`, `/sms <number|name> <text>`."""
        words = text.split()
        if words and words[0].lower() in {"help", "-h", "--help", "?"}:
            return CommandOutcome(CommandKind.HELP, HELP)
        if not words:
            return CommandOutcome(
                CommandKind.MODAL, form=self.form(team_id=team_id, user=user,
                                                  origin_channel=channel)
            )
        self.directory.ensure_synced(team_id=team_id)
        recipient, message, notice = self._parse_target(team_id, words)
        if recipient is None or not message:
            form = self.form(
                team_id=team_id, user=user, recipient_value=recipient.value if recipient else None,
                text=message if recipient else text, origin_channel=channel, notice=notice,
            )
            return CommandOutcome(CommandKind.MODAL, form=form)
        number_id = None
        if recipient.is_external:
            number_id, refusal = self._default_number(team_id, user)
            if refusal:
                return CommandOutcome(CommandKind.REFUSED, refusal)
        try:
            sent = self.send(
                team_id=team_id, sender=user, recipient_value=recipient.value,
                number_id=number_id, text=message, origin_channel=channel,
            )
        except ComposeRefused as exc:
            return CommandOutcome(CommandKind.REFUSED, f"Not sent: {exc}")
        if sent.number is None:
            return CommandOutcome(CommandKind.SENT, f"💬 Sending your message to {recipient.name}.")
        return CommandOutcome(
            CommandKind.SENT,
            f"📱 Texting {recipient.name} from {sent.number.title}; "
            "a link to the conversation follows.",
        )

    # -- internals --------------------------------------------------------------------

    def _parse_target(
        self, team_id: str, words: list[str]
    ) -> tuple[Recipient | None, str, str | None]:
        """(recipient, message, notice): a phone number first, else the longest name."""
        phone_words = 0
        while phone_words < len(words) and PHONE_TOKEN.match(words[phone_words]):
            phone_words += 1
        if phone_words:
            typed = " ".join(words[:phone_words])
            try:
                e164 = parse_phone(typed, field="recipient").e164
            except InvalidInput as exc:
                return None, " ".join(words[phone_words:]), str(exc)
            recipient = self.directory.resolve(team_id=team_id, value=f"p:{e164}")
            return recipient, " ".join(words[phone_words:]), None
        for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
            name = " ".join(words[:size])
            found = self.directory.find(team_id=team_id, name=name)
            if len(found) == 1:
                return found[0], " ".join(words[size:]), None
            if len(found) > 1:
                return None, " ".join(words), f"Several people are called “{name}”: choose one."
        return None, " ".join(words), "No coworker or contact has that name: choose who."

    def _default_number(self, team_id: str, user: str) -> tuple[int | None, str | None]:
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            assigned = _sender_numbers(session, workspace.id, user)
            admins = admin_names(session, workspace.id)
        defaults = [n for n in assigned if n.is_default]
        if defaults:
            return defaults[0].id, None
        if len(assigned) == 1:
            return assigned[0].id, None
        if not assigned:
            return None, f"Not sent: {no_number_text(admins)}"
        return None, (
            "Not sent: you have several SMS numbers and no default. Choose a default on the "
            "app's Home tab, or use `/sms` to pick the number."
        )

    def _chat(self, team_id: str, sender: str, recipient: Recipient, body: str) -> Sent:
        assert recipient.user_id is not None
        now = utcnow()
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            chat = InternalChat(
                workspace_id=workspace.id, sender_user_id=sender,
                recipient_user_id=recipient.user_id, body=body, created_at=now,
            )
            session.add(chat)
            session.flush()
            item_id = outbox_items.internal_chat(
                session, workspace_id=workspace.id, team_id=team_id, sender=sender,
                chat_id=chat.id, now=now,
            )
        self.queue.enqueue(item_id)
        return Sent(recipient, None, [item_id])

    def _text(
        self, team_id: str, sender: str, recipient: Recipient, number_id: int | None, body: str,
        origin_channel: str | None, files: Sequence[SlackFile],
    ) -> Sent:
        assert recipient.e164 is not None
        now = utcnow()
        with self.session_factory.begin() as session:
            workspace = workspace_of(session, team_id)
            choices = _sender_numbers(session, workspace.id, sender)
            if not choices:
                raise ComposeRefused(
                    no_number_text(admin_names(session, workspace.id)), field=Field.RECIPIENT
                )
            number = session.get(SmsNumber, number_id) if number_id is not None else None
            if number is None or number.workspace_id != workspace.id:
                raise ComposeRefused("Choose the number to text from.", field=Field.FROM)
            if not may_send_from(
                session, workspace_id=workspace.id, user_id=sender, number_id=number.id
            ):
                raise ComposeRefused(
                    f"You can't text from {format_phone(number.e164)}: it isn't assigned to you.",
                    field=Field.FROM,
                )
            contact = contacts.ensure(session, workspace.id, recipient.e164)
            refusal = optouts.refusal_for(session, number_id=number.id, contact_id=contact.id)
            if refusal:
                raise ComposeRefused(refusal, field=Field.RECIPIENT)
            conversation = conversations.ensure_locked(
                session, workspace_id=workspace.id, number_id=number.id, contact_id=contact.id,
                channel_id=number.channel_id,
            )
            conversation.last_activity_at = now
            conversation.status = ConversationStatus.OPEN
            message = Message(
                workspace_id=workspace.id, conversation_id=conversation.id,
                direction=Direction.OUTBOUND, body=body, status="pending",
                sender_user_id=sender, num_segments=count_segments(body).segments,
                created_at=now,
            )
            session.add(message)
            session.flush()
            outbound_media.attach(session, message_id=message.id, files=files, now=now)
            item_ids = [
                outbox_items.outbound_echo(
                    session, workspace_id=workspace.id, conversation_id=conversation.id,
                    message_id=message.id, confirm_user=sender, confirm_channel=origin_channel,
                    now=now,
                ),
                outbox_items.sms_send(
                    session, workspace_id=workspace.id, conversation_id=conversation.id,
                    message_id=message.id, now=now,
                ),
            ]
            chosen = next(n for n in _all_numbers(session, workspace.id, sender)
                          if n.id == number.id)
        for item_id in item_ids:
            self.queue.enqueue(item_id)
        return Sent(recipient, chosen, item_ids)


def _sender_numbers(session: Session, workspace_id: int, user: str) -> list[SenderNumber]:
    """The numbers a member texts from: assigned ones (default first); a manager may text
    from any number of the workspace, listed after their own."""
    found = _all_numbers(session, workspace_id, user)
    if Role.MANAGER not in roles.roles_of(session, workspace_id, user):
        found = [n for n in found if n.assigned]
    return sorted(found, key=lambda n: (not n.is_default, not n.assigned, n.label or "", n.e164))


def _all_numbers(session: Session, workspace_id: int, user: str) -> list[SenderNumber]:
    result = []
    for number in numbers.in_workspace(session, workspace_id):
        assignment = numbers.assignment(session, number.id, user)
        result.append(SenderNumber(
            id=number.id, e164=number.e164, label=number.label, channel_id=number.channel_id,
            is_default=bool(assignment and assignment.is_default), assigned=bool(assignment),
        ))
    return result
