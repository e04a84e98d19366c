"""Slack listeners, one module per Slack primitive, each with `register(app, services)`."""

from __future__ import annotations

from slack_bolt import App

from bot.services.container import Services
from handlers.slack import (
    compose,
    contacts,
    escalation_actions,
    escalation_shortcuts,
    escalation_views,
    events,
    home,
    members,
)


def register_all(app: App, services: Services) -> None:
    events.register(app, services)
    escalation_actions.register(app, services)
    escalation_shortcuts.register(app, services)
    escalation_views.register(app, services)
    compose.register(app, services)
    contacts.register(app, services)
    home.register(app, services)
    members.register(app, services)
