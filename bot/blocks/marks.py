"""The marks people see (DESIGN §1): who a contact is, and what kind a message is."""

MEMBER_MARK = "🟤"  # a coworker: chat
MANAGER_MARK = "⚪"  # the call-center manager: chat
EXTERNAL_MARK = "🔵"  # a customer: SMS, with the phone number
CHAT_MARK = "💬"  # an internal chat in message lists
SMS_MARK = "📱"  # an SMS/MMS in message lists
