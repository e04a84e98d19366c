"""The outbox kinds of composing (issue 4), mapped to their deliveries for `bot.app`."""

from __future__ import annotations

from functools import partial

from bot.services.deliveries import slack_confirm, slack_internal_chat, slack_outbound_echo
from bot.services.deliveries.context import DeliveryContext
from bot.services.deliveries.kinds import Kind
from bot.services.outbox_runner import Delivery


def compose_deliveries(context: DeliveryContext) -> dict[str, Delivery]:
    return {
        Kind.SLACK_OUTBOUND_ECHO: partial(slack_outbound_echo.deliver, context),
        Kind.SLACK_CONFIRM: partial(slack_confirm.deliver, context),
        Kind.SLACK_INTERNAL_CHAT: partial(slack_internal_chat.deliver, context),
    }
