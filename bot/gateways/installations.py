"""Multi-workspace installations: slack_sdk's SQLAlchemy stores in the app's database, with
every token Fernet-encrypted before it reaches a row (a leaked backup leaks no token)."""

from __future__ import annotations

import copy
import logging
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.errors import ConfigError

log = logging.getLogger(__name__)

# What slack_sdk names its tables (created by migration 0006, never by `create_tables`).
INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
STATES_TABLE = "slack_oauth_states"
STATE_EXPIRATION_SECONDS = 600

_TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
T = TypeVar("T", Bot, Installation)


def fernet_of(key: str | None) -> Fernet:
    if not key:
        raise ConfigError("SMSBRIDGE_TOKEN_KEY is not set", variable="SMSBRIDGE_TOKEN_KEY")
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise ConfigError(
            "SMSBRIDGE_TOKEN_KEY is not a Fernet key (32 url-safe base64-encoded bytes)",
            variable="SMSBRIDGE_TOKEN_KEY",
        ) from exc


class EncryptedInstallationStore(InstallationStore):
    """slack_sdk's SQLAlchemy installation store, tokens encrypted on save and decrypted on
    find. Deletes (uninstall, revocation) go straight through."""

    def __init__(self, *, client_id: str, engine: Engine, fernet: Fernet) -> None:
        self.inner = SQLAlchemyInstallationStore(
            client_id=client_id, engine=engine, bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE, logger=log,
        )
        self.fernet = fernet

    @property
    def logger(self) -> logging.Logger:
        return log

    def _sealed(self, entity: T) -> T:
        sealed = copy.copy(entity)
        for name in _TOKEN_FIELDS:
            value = getattr(sealed, name, None)
            if value:
                setattr(sealed, name, self.fernet.encrypt(value.encode()).decode())
        return sealed

    def _opened(self, entity: T | None) -> T | None:
        if entity is None:
            return None
        for name in _TOKEN_FIELDS:
            value = getattr(entity, name, None)
            if value:
                try:
                    setattr(entity, name, self.fernet.decrypt(value.encode()).decode())
                except InvalidToken as exc:
                    raise ConfigError(
                        "an installation's token does not decrypt with SMSBRIDGE_TOKEN_KEY",
                        variable="SMSBRIDGE_TOKEN_KEY",
                    ) from exc
        return entity

    def save(self, installation: Installation) -> None:
        self.inner.save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(self._sealed(bot))

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return self._opened(self.inner.find_bot(
            enterprise_id=enterprise_id, team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        ))

    def find_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return self._opened(self.inner.find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        ))

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.inner.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """OAuth `state` values, single use, in the shared database (any web process may get
    the redirect)."""
    return SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=log,
        table_name=STATES_TABLE,
    )
