"""FakeSlack is the sandbox's Slack emulator (bot/sandbox/slack_api.py), under its test name."""

from bot.sandbox.slack_api import Call, Channel, Message
from bot.sandbox.slack_api import SlackEmulator as FakeSlack

__all__ = ["Call", "Channel", "FakeSlack", "Message"]
