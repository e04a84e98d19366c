"""Settings from the environment and `.env`, named exactly as DESIGN §4 promises operators."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError


class Settings(BaseSettings):
    """Operator configuration. Field names map to the documented variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("./data"), validation_alias="SMSBRIDGE_DATA_DIR")
    queue_url: str | None = Field(default=None, validation_alias="QUEUE_URL")

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    # issue 7: the Fernet key encrypting installations' tokens at rest (multi-workspace mode)
    token_key: str | None = Field(default=None, validation_alias="SMSBRIDGE_TOKEN_KEY")

    twilio_account_sid: str | None = Field(default=None, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(default=None, validation_alias="TWILIO_AUTH_TOKEN")

    public_base_url: str | None = Field(default=None, validation_alias="PUBLIC_BASE_URL")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    twilio_api_url: str = Field(default="https://api.twilio.com", validation_alias="TWILIO_API_URL")

    # Tuning knobs (not part of the operator contract; defaults suit production).
    lease_seconds: float = Field(
        default=60.0, validation_alias=AliasChoices("SMSBRIDGE_LEASE_SECONDS")
    )
    sweep_seconds: float = Field(
        default=15.0, validation_alias=AliasChoices("SMSBRIDGE_SWEEP_SECONDS")
    )
    # Slack allows about one post per second per channel; the margin absorbs timing jitter.
    slack_post_interval: float = Field(
        default=1.05, validation_alias=AliasChoices("SMSBRIDGE_SLACK_POST_INTERVAL")
    )
    worker_threads: int = Field(default=4, validation_alias=AliasChoices("SMSBRIDGE_WORKERS"))
    # The app's own answer to HELP/INFO; unset: Twilio answers keywords, the app stays silent.
    help_reply: str | None = Field(
        default=None, max_length=1600, validation_alias=AliasChoices("SMSBRIDGE_HELP_REPLY")
    )
    # MMS media (issue 3): hosts inbound media may be fetched from after a redirect, how long
    # outbound media stays served, the per-file cap, and the key signing media URLs.
    media_hosts: str = Field(
        default="media.twiliocdn.com,*.twiliocdn.com",
        validation_alias=AliasChoices("SMSBRIDGE_MEDIA_HOSTS"),
    )
    media_ttl_hours: float = Field(
        default=24.0, validation_alias=AliasChoices("SMSBRIDGE_MEDIA_TTL_HOURS")
    )
    media_max_bytes: int = Field(
        default=10 * 1024 * 1024, validation_alias=AliasChoices("SMSBRIDGE_MEDIA_MAX_BYTES")
    )
    media_secret: str | None = Field(
        default=None, validation_alias=AliasChoices("SMSBRIDGE_MEDIA_SECRET")
    )

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'smsbridge.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        """Where fetched and outbound media files live (inside the data directory)."""
        return self.data_dir / "media"

    @property
    def multi_workspace(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def socket_mode(self) -> bool:
        """SLACK_APP_TOKEN set: Slack's events reach the app over a websocket it opens."""
        return bool(self.slack_app_token)

    @property
    def http_timeout(self) -> float:
        """Outbound HTTP timeout: always well inside a lease, so no call outlives its claim."""
        return max(1.0, min(30.0, self.lease_seconds / 3))

    def require(self, *names: str) -> None:
        """Raise ConfigError naming the first missing variable among `names`."""
        for name in names:
            field = next(
                key for key, info in type(self).model_fields.items()
                if info.validation_alias == name
            )
            if not getattr(self, field):
                raise ConfigError(f"{name} is not set", variable=name)

    def require_for_serve(self) -> None:
        """Everything `serve` needs to talk to Slack and Twilio."""
        if self.multi_workspace:
            # The OAuth redirect and every HTTP Slack request are signed-checked.
            self.require("SLACK_SIGNING_SECRET", "SMSBRIDGE_TOKEN_KEY")
        elif self.socket_mode:
            self.require("SLACK_BOT_TOKEN")  # Socket Mode requests carry no signature
        else:
            self.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
        self.require("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")
        parts = urlsplit(self.public_base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                "PUBLIC_BASE_URL must be an absolute http(s) URL", variable="PUBLIC_BASE_URL"
            )

    @property
    def route_prefix(self) -> str:
        """The path part of PUBLIC_BASE_URL, under which every route hangs ('' or '/x')."""
        return urlsplit(self.public_base_url or "").path.rstrip("/")
