"""Outbox item kinds and the lanes that keep them in order."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    SLACK_INBOUND = "slack.inbound"  # a customer's text into its thread
    TWILIO_SEND = "twilio.send"  # a reply out as SMS
    SLACK_STATUS = "slack.status"  # a reply's delivery state shown in Slack
    SLACK_NOTICE = "slack.notice"  # an ephemeral word to one person
    SLACK_CARD = "slack.card"  # the thread's root card re-rendered from current state
    SLACK_ESCALATION = "slack.escalation"  # managers' DMs and the escalations channel post
    SLACK_THREAD_NOTE = "slack.thread_note"  # the app's own note in a thread (opt-out, HELP)
    # --- issue 4: compose ---
    SLACK_OUTBOUND_ECHO = "slack.outbound_echo"  # a composed text shown in its thread
    SLACK_CONFIRM = "slack.confirm"  # the sender told where their text went (with a link)
    SLACK_INTERNAL_CHAT = "slack.internal_chat"  # a composed chat as a DM to a coworker


def inbound_lane(conversation_id: int) -> str:
    return f"conv:{conversation_id}:slack"


def send_lane(conversation_id: int) -> str:
    return f"conv:{conversation_id}:sms"


def status_lane(message_id: int) -> str:
    return f"status:{message_id}"


def notice_lane(team_id: str, user_id: str) -> str:
    return f"notice:{team_id}:{user_id}"


def escalation_lane(conversation_id: int) -> str:
    return f"conv:{conversation_id}:escalation"


def chat_lane(team_id: str, sender: str) -> str:
    return f"chat:{team_id}:{sender}"
