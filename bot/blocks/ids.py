"""Action and callback ids shared by builders, listeners and manifest.yml."""

from __future__ import annotations

# conversation card buttons (value: the conversation id)
CARD_ASSIGN_TO_ME = "card_assign_to_me"
CARD_ESCALATE = "card_escalate"
CARD_CLOSE = "card_close"
CARD_REOPEN = "card_reopen"
CARD_TAKE_OVER = "card_take_over"
CARD_RELEASE = "card_release"

# the Take over button in an escalation DM or channel post (value: the conversation id)
ESCALATION_TAKE_OVER = "escalation_take_over"

# message shortcut "Escalate to manager" (manifest.yml features.shortcuts)
ESCALATE_SHORTCUT = "escalate_conversation"

# the escalation modal and its inputs
ESCALATE_VIEW = "escalate_view"
ESCALATE_REASON_BLOCK = "escalate_reason"
ESCALATE_REASON_INPUT = "reason"
ESCALATE_URGENCY_BLOCK = "escalate_urgency"
ESCALATE_URGENCY_INPUT = "urgency"
ESCALATE_TARGET_BLOCK = "escalate_target"
ESCALATE_TARGET_INPUT = "target"
ESCALATE_TARGET_ALL = "all"

# App Home: the escalations channel setting (admins)
ESCALATIONS_CHANNEL_SELECT = "escalations_channel_select"


# Global shortcut (manifest.yml features.shortcuts)
NEW_MESSAGE_SHORTCUT = "new_message"

# The New message window
COMPOSE_VIEW = "compose"
COMPOSE_RECIPIENT_BLOCK = "recipient"
COMPOSE_RECIPIENT = "compose_recipient"
COMPOSE_FROM_BLOCK = "from"
COMPOSE_FROM = "compose_from"
COMPOSE_MESSAGE_BLOCK = "message"
COMPOSE_MESSAGE = "compose_message"
COMPOSE_FILES_BLOCK = "files"
COMPOSE_FILES = "compose_files"
COMPOSE_COUNTER_BLOCK = "counter"
COMPOSE_NOTICE_BLOCK = "notice"
COMPOSE_NO_NUMBER_BLOCK = "no_number"
COMPOSE_ADD_CONTACT = "compose_add_contact"

# Contact add/edit window
CONTACT_VIEW = "contact"
CONTACT_PHONE_BLOCK = "phone"
CONTACT_NAME_BLOCK = "name"
CONTACT_COMPANY_BLOCK = "company"
CONTACT_NOTES_BLOCK = "notes"
CONTACT_INPUT = "value"

# App Home
HOME_NEW_MESSAGE = "home_new_message"
HOME_ADD_CONTACT = "home_add_contact"
HOME_DEFAULT_NUMBER = "home_default_number"
HOME_ADD_NUMBER = "home_add_number"
HOME_ASSIGN = "home_assign"
HOME_ROLES = "home_roles"

# Admin windows
ADD_NUMBER_VIEW = "admin_add_number"
ASSIGN_VIEW = "admin_assign"
ROLES_VIEW = "admin_roles"
ADMIN_NUMBER_BLOCK = "number"
ADMIN_CHANNEL_BLOCK = "channel"
ADMIN_LABEL_BLOCK = "label"
ADMIN_USER_BLOCK = "user"
ADMIN_CHANGE_BLOCK = "change"
ADMIN_ROLE_BLOCK = "role"
ADMIN_INPUT = "value"
