"""POST /twilio/messages: an inbound SMS/MMS."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from twilio.request_validator import RequestValidator

from bot.errors import InvalidInput, NotFound
from bot.services.container import Services
from bot.services.inbound import InboundText
from handlers.twilio.signature import require_valid_signature

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def register(
    routes: Blueprint, services: Services, *, validator: RequestValidator, public_base_url: str
) -> None:
    @routes.post("/twilio/messages")
    def inbound_message() -> Response:
        require_valid_signature(request, validator=validator, public_base_url=public_base_url)
        try:
            services.inbound.receive(InboundText.from_form(request.form))
        except InvalidInput as exc:
            abort(400, description=str(exc))
        except NotFound as exc:
            abort(404, description=str(exc))
        return Response(EMPTY_TWIML, status=200, mimetype="text/xml")
