"""App wiring: the only place clients, services and the queue are built."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from flask import Flask
from huey import Huey
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.config import Settings
from bot.errors import NotFound, SlackError
from bot.gateways.installations import EncryptedInstallationStore, fernet_of, state_store
from bot.gateways.media_fetch import MediaFetcher
from bot.gateways.slack import SlackGateway
from bot.gateways.twilio import BaseUrlHttpClient, TwilioGateway
from bot.manifest import bot_scopes
from bot.oauth import oauth_settings
from bot.queue import HueyJobQueue, make_huey
from bot.services.admin import AdminService
from bot.services.compose import ComposeService
from bot.services.contacts import ContactService
from bot.services.container import Services
from bot.services.deliveries import (
    slack_card,
    slack_escalation,
    slack_inbound,
    slack_notice,
    slack_status,
    slack_thread_note,
    twilio_send,
)
from bot.services.deliveries.compose_deliveries import compose_deliveries
from bot.services.deliveries.context import DeliveryContext, MediaSupport
from bot.services.deliveries.kinds import Kind
from bot.services.directory import DirectoryService
from bot.services.escalation_settings import EscalationSettingsService
from bot.services.escalations import EscalationService
from bot.services.health import HealthService
from bot.services.home import HomeService
from bot.services.inbound import InboundService
from bot.services.lifecycle import LifecycleService
from bot.services.media_urls import MediaUrls, derive_key
from bot.services.outbound_media import MediaService
from bot.services.outbox_runner import Delivery, OutboxRunner
from bot.services.replies import ReplyService
from bot.services.status import StatusService
from bot.web import build_web
from storage import migrate
from storage.db import make_engine, make_session_factory

if TYPE_CHECKING:
    from bot.services.doctor import Doctor

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything but the HTTP layer: database, queue, gateways, services, outbox runner."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    huey: Huey
    queue: HueyJobQueue
    services: Services
    runner: OutboxRunner
    slack_for: Callable[[str], SlackGateway]
    # multi-workspace mode: where each workspace's bot token lives (None: SLACK_BOT_TOKEN)
    installations: EncryptedInstallationStore | None = None


def slack_client(settings: Settings, token: str | None) -> WebClient:
    """No automatic retries: a retried chat.postMessage could post twice. The outbox retries,
    after reconciling."""
    return WebClient(
        token=token, base_url=settings.slack_api_url, timeout=int(settings.http_timeout),
        retry_handlers=[],
    )


def twilio_client(settings: Settings) -> Client:
    settings.require("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    return Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=BaseUrlHttpClient(settings.twilio_api_url, timeout=settings.http_timeout),
    )


def single_workspace_slack(settings: Settings) -> SlackGateway:
    settings.require("SLACK_BOT_TOKEN")
    return SlackGateway(slack_client(settings, settings.slack_bot_token))


def installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    return EncryptedInstallationStore(
        client_id=settings.slack_client_id or "", engine=engine,
        fernet=fernet_of(settings.token_key),
    )


def installed_slack(
    settings: Settings, store: EncryptedInstallationStore
) -> Callable[[str], SlackGateway]:
    """Multi-workspace mode: each workspace's gateway from its installation's bot token,
    looked up per call, so an uninstall or a token rotation by another process counts at
    once. A workspace without an installation is a permanent Slack refusal."""

    def slack_for(team_id: str) -> SlackGateway:
        bot = store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise SlackError("not_installed")
        return SlackGateway(slack_client(settings, bot.bot_token))

    return slack_for


def workspace_slack(settings: Settings, team_id: str) -> SlackGateway:
    """The CLI's gateway for the workspace it acts on (DESIGN §4 "Workspace")."""
    if not settings.multi_workspace:
        return single_workspace_slack(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        return installed_slack(settings, installation_store(settings, engine))(team_id)
    except SlackError as exc:
        raise NotFound(
            f"workspace {team_id} has not installed the app; install it through "
            "PUBLIC_BASE_URL/slack/install first"
        ) from exc
    finally:
        engine.dispose()


def open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and sessions, with the schema brought up to date first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate.upgrade(engine)
    return engine, make_session_factory(engine)


def media_urls(settings: Settings) -> MediaUrls:
    """Media links are signed with SMSBRIDGE_MEDIA_SECRET, else a key derived from the
    Twilio auth token (the one secret every process of a deployment already shares)."""
    secret = settings.media_secret or settings.twilio_auth_token or ""
    return MediaUrls(key=derive_key(secret), public_base_url=settings.public_base_url or "")


def media_support(settings: Settings) -> MediaSupport:
    hosts = [h for h in settings.media_hosts.split(",") if h.strip()]
    return MediaSupport(
        fetcher=MediaFetcher(
            api_url=settings.twilio_api_url, account_sid=settings.twilio_account_sid or "",
            auth_token=settings.twilio_auth_token or "", media_hosts=hosts,
            max_bytes=settings.media_max_bytes, timeout=settings.http_timeout,
        ),
        media_dir=settings.media_dir, urls=media_urls(settings),
        ttl=timedelta(hours=settings.media_ttl_hours),
    )


def build_core(settings: Settings) -> Core:
    installations: EncryptedInstallationStore | None = None
    if settings.multi_workspace:
        fernet_of(settings.token_key)  # a missing or malformed key stops before any work
        engine, session_factory = open_database(settings)
        installations = installation_store(settings, engine)
        slack_for = installed_slack(settings, installations)
    else:
        engine, session_factory = open_database(settings)
        slack = single_workspace_slack(settings)

        def slack_for(team_id: str) -> SlackGateway:
            return slack

    huey = make_huey(settings)
    queue = HueyJobQueue(huey)
    context = DeliveryContext(
        session_factory=session_factory,
        slack_for=slack_for,
        twilio=TwilioGateway(twilio_client(settings)),
        public_base_url=settings.public_base_url or "",
        slack_post_interval=settings.slack_post_interval,
        media=media_support(settings),
    )
    deliveries: dict[str, Delivery] = {
        Kind.SLACK_INBOUND: partial(slack_inbound.deliver, context),
        Kind.TWILIO_SEND: partial(twilio_send.deliver, context),
        Kind.SLACK_STATUS: partial(slack_status.deliver, context),
        Kind.SLACK_NOTICE: partial(slack_notice.deliver, context),
        Kind.SLACK_CARD: partial(slack_card.deliver, context),
        Kind.SLACK_ESCALATION: partial(slack_escalation.deliver, context),
        Kind.SLACK_THREAD_NOTE: partial(slack_thread_note.deliver, context),
        **compose_deliveries(context),
    }
    runner = OutboxRunner(
        session_factory=session_factory, deliveries=deliveries, queue=queue,
        lease_seconds=settings.lease_seconds,
    )
    queue.bind(runner.run)
    directory = DirectoryService(session_factory=session_factory, slack_for=slack_for)
    services = Services(
        inbound=InboundService(
            session_factory=session_factory, queue=queue, help_reply=settings.help_reply
        ),
        replies=ReplyService(session_factory=session_factory, queue=queue),
        status=StatusService(session_factory=session_factory, queue=queue),
        admin=AdminService(session_factory=session_factory),
        health=HealthService(session_factory=session_factory),
        lifecycle=LifecycleService(session_factory=session_factory, queue=queue),
        escalations=EscalationService(
            session_factory=session_factory, queue=queue, slack_for=slack_for
        ),
        escalation_settings=EscalationSettingsService(
            session_factory=session_factory, slack_for=slack_for
        ),
        media=MediaService(
            session_factory=session_factory, urls=media_urls(settings),
            media_dir=settings.media_dir,
        ),
        directory=directory,
        compose=ComposeService(session_factory=session_factory, queue=queue, directory=directory),
        contacts=ContactService(session_factory=session_factory),
        home=HomeService(
            session_factory=session_factory, slack_for=slack_for, directory=directory,
            admin=AdminService(session_factory=session_factory),
        ),
    )
    return Core(
        settings, engine, session_factory, huey, queue, services, runner, slack_for,
        installations,
    )


def resolve_workspace(core: Core) -> str:
    """Single-workspace mode: the team `auth.test` reports for SLACK_BOT_TOKEN, recorded.
    (Multi-workspace mode records each workspace as it installs the app.)"""
    team_id, name, _ = single_workspace_slack(core.settings).team()
    core.services.admin.ensure_workspace(team_id=team_id, name=name)
    return team_id


def build_doctor(settings: Settings) -> Doctor:
    """`smsbridge doctor`: the database as it is (not migrated) and whichever gateways the
    settings allow."""
    from bot.services.doctor import Doctor, DoctorInputs

    engine = make_engine(settings.resolved_database_url)
    has_twilio = settings.twilio_account_sid and settings.twilio_auth_token
    return Doctor(DoctorInputs(
        settings=settings, required_scopes=bot_scopes(), engine=engine,
        admin=AdminService(session_factory=make_session_factory(engine)),
        slack=single_workspace_slack(settings) if settings.slack_bot_token else None,
        twilio=TwilioGateway(twilio_client(settings)) if has_twilio else None,
    ))


def build_bolt(core: Core) -> App:
    from handlers.slack import register_all

    settings = core.settings
    if core.installations is None:
        app = App(
            signing_secret=settings.slack_signing_secret,
            client=slack_client(settings, settings.slack_bot_token),
            process_before_response=True,
        )
    else:
        admin = core.services.admin

        def on_installed(team_id: str, name: str | None) -> None:
            """The member directory fills on first use (DirectoryService.ensure_synced)."""
            admin.ensure_workspace(team_id=team_id, name=name)

        app = App(
            signing_secret=settings.slack_signing_secret,
            client=slack_client(settings, None),  # per request: the installation's token
            oauth_settings=oauth_settings(
                settings, installation_store=core.installations,
                state_store=state_store(core.engine), on_installed=on_installed,
            ),
            installation_store_bot_only=True,
            process_before_response=True,
        )
        # app_uninstalled / tokens_revoked: that workspace's tokens leave the store.
        app.enable_token_revocation_listeners()
    register_all(app, core.services)
    return app


def build_http_app(core: Core, bolt: App | None = None) -> Flask:
    """The WSGI app `serve` runs: Slack, Twilio and health routes under PUBLIC_BASE_URL."""
    core.settings.require_for_serve()
    validator = RequestValidator(core.settings.twilio_auth_token)
    return build_web(core.settings, core.services, bolt or build_bolt(core), validator)


def socket_mode_handler(core: Core, bolt: App) -> SocketModeHandler:
    """SLACK_APP_TOKEN: Slack's requests come over a websocket the app opens (the built-in
    client, through SLACK_API_URL's apps.connections.open); Twilio still calls HTTP."""
    return SocketModeHandler(bolt, app_token=core.settings.slack_app_token)
