"""POST /twilio/status: delivery status callbacks for replies."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from twilio.request_validator import RequestValidator

from bot.errors import NotFound
from bot.services.container import Services
from handlers.twilio.signature import require_valid_signature


def register(
    routes: Blueprint, services: Services, *, validator: RequestValidator, public_base_url: str
) -> None:
    @routes.post("/twilio/status")
    def status_callback() -> Response:
        require_valid_signature(request, validator=validator, public_base_url=public_base_url)
        sid = request.form.get("MessageSid", "")
        status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
        if not sid or not status:
            abort(400, description="MessageSid and MessageStatus are required")
        try:
            message_id = int(request.args["m"]) if "m" in request.args else None
            error_code = int(request.form["ErrorCode"]) if request.form.get("ErrorCode") else None
        except ValueError:
            abort(400, description="m and ErrorCode must be numbers")
        try:
            services.status.apply(
                message_id=message_id, sid=sid, status=status, error_code=error_code
            )
        except NotFound as exc:
            abort(404, description=str(exc))
        return Response("", status=200)
