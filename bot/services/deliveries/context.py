"""What every delivery gets: the database, the gateways and the tuning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.gateways.media_fetch import MediaFetcher
from bot.gateways.slack import SlackGateway
from bot.gateways.twilio import TwilioGateway
from bot.services.media_urls import MediaUrls


@dataclass(frozen=True)
class MediaSupport:
    """MMS media (issue 3): fetching from Twilio, the files on disk, the links out."""

    fetcher: MediaFetcher
    media_dir: Path
    urls: MediaUrls
    ttl: timedelta


@dataclass(frozen=True)
class DeliveryContext:
    session_factory: sessionmaker[Session]
    slack_for: Callable[[str], SlackGateway]
    twilio: TwilioGateway
    public_base_url: str
    slack_post_interval: float
    media: MediaSupport | None = None
