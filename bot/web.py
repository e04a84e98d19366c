"""The HTTP surface: every route hangs below PUBLIC_BASE_URL's path."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from twilio.request_validator import RequestValidator

from bot.config import Settings
from bot.services.container import Services
from handlers import health, media, twilio
from handlers.slack.signature import SlackSignature, malformed, unauthorized


def build_web(
    settings: Settings, services: Services, bolt: App, validator: RequestValidator
) -> Flask:
    web = Flask("smsbridge")
    routes = Blueprint("smsbridge", __name__, url_prefix=settings.route_prefix or None)
    slack_handler = SlackRequestHandler(bolt)
    signature = SlackSignature(settings.slack_signing_secret or "")

    if not settings.socket_mode:  # Socket Mode: Slack's requests come over the websocket

        @routes.post("/slack/events")
        def slack_events() -> Response:
            if not signature.is_signed(request):
                return unauthorized()
            try:
                request.get_data(cache=True).decode("utf-8")
            except UnicodeDecodeError:
                return malformed("the body is not UTF-8")
            try:
                return slack_handler.handle(request)  # type: ignore[no-any-return]
            except ValueError as exc:  # Bolt's body parsing: JSON or form it cannot read
                return malformed(type(exc).__name__)

    if settings.multi_workspace:
        # Bolt's OAuth flow: the install redirect (with its state) and Slack's callback.
        @routes.get("/slack/install")
        def slack_install() -> Response:
            return slack_handler.handle(request)  # type: ignore[no-any-return]

        @routes.get("/slack/oauth_redirect")
        def slack_oauth_redirect() -> Response:
            return slack_handler.handle(request)  # type: ignore[no-any-return]

    twilio.register_all(
        routes, services, validator=validator, public_base_url=settings.public_base_url or ""
    )
    health.register(routes, services)
    media.register(routes, services)
    web.register_blueprint(routes)
    return web
