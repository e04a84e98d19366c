"""Multi-workspace mode: Bolt's OAuth install flow, under PUBLIC_BASE_URL's path."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.config import Settings
from bot.manifest import bot_scopes

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def authorization_url(settings: Settings) -> str:
    """Slack's consent page on the host SLACK_API_URL names (slack.com in production)."""
    parts = urlsplit(settings.slack_api_url)
    return urlunsplit((parts.scheme, parts.netloc, "/oauth/v2/authorize", "", ""))


def oauth_settings(
    settings: Settings, *, installation_store: InstallationStore, state_store: OAuthStateStore,
    on_installed: Callable[[str, str | None], None],
) -> OAuthSettings:
    """GET /slack/install redirects to Slack with a single-use state (also set as a
    cookie); GET /slack/oauth_redirect exchanges the code and stores the installation.
    `on_installed(team_id, team_name)` records the workspace before the success page."""
    prefix = settings.route_prefix
    base = (settings.public_base_url or "").rstrip("/")

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.team_id:
            on_installed(installation.team_id, installation.team_name)
            log.info("installed into workspace %s", installation.team_id)
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an install failed: %s", args.reason)
        return args.default.failure(args)

    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=bot_scopes(),
        redirect_uri=f"{base}{REDIRECT_PATH}",
        install_path=f"{prefix}{INSTALL_PATH}",
        install_page_rendering_enabled=False,
        redirect_uri_path=f"{prefix}{REDIRECT_PATH}",
        callback_options=CallbackOptions(success=success, failure=failure),
        authorization_url=authorization_url(settings),
        installation_store=installation_store,
        installation_store_bot_only=True,
        state_store=state_store,
    )
