"""Twilio webhooks: verify the signature, parse, call one service."""

from __future__ import annotations

from flask import Blueprint
from twilio.request_validator import RequestValidator

from bot.services.container import Services
from handlers.twilio import messages, status


def register_all(
    routes: Blueprint, services: Services, *, validator: RequestValidator, public_base_url: str
) -> None:
    for module in (messages, status):
        module.register(routes, services, validator=validator, public_base_url=public_base_url)
