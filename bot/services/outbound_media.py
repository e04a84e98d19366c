"""Slack files out as MMS: the limits checked before anything is queued, the rows that carry
the files through the outbox, and the links Twilio fetches them from.

`check_files` and `attach` are what any sender calls with Slack file objects (a thread reply's
`files` today; the compose modal's file input later), inside its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput, NotFound
from bot.media_types import (
    ACCEPTED_TYPES,
    IMAGE_TOTAL_BYTES,
    IMAGE_TYPES,
    MAX_FILES,
    OTHER_FILE_BYTES,
    accepted_list,
    normalize,
)
from bot.services.clock import utcnow
from bot.services.media_urls import MediaUrls
from storage.models import MediaState, MessageMedia
from storage.repositories import media

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackFile:
    file_id: str
    name: str
    content_type: str
    size: int
    download_url: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_files(files: Sequence[Mapping[str, Any]]) -> list[SlackFile]:
    """Slack file objects → files Twilio will take, or InvalidInput saying what to change."""
    if len(files) > MAX_FILES:
        raise InvalidInput(
            f"Not sent: an MMS carries at most {MAX_FILES} files and this reply has "
            f"{len(files)}. Send them in smaller groups.", field="files",
        )
    checked = []
    for file in files:
        name = str(file.get("name") or file.get("title") or file.get("id") or "file")
        content_type = normalize(str(file.get("mimetype") or ""))
        url = file.get("url_private_download") or file.get("url_private")
        size = file.get("size")
        if content_type not in ACCEPTED_TYPES:
            raise InvalidInput(
                f"Not sent: {name} is {content_type or 'of an unknown type'}, which MMS can't "
                f"carry. Accepted types: {accepted_list()}.", field="files",
            )
        if not url or not isinstance(size, int):
            raise InvalidInput(
                f"Not sent: Slack didn't share {name} with smsbridge; attach it again.",
                field="files",
            )
        if content_type not in IMAGE_TYPES and size > OTHER_FILE_BYTES:
            raise InvalidInput(
                f"Not sent: {name} is {size // 1024} KB; MMS files other than JPEG, PNG and "
                f"GIF images must be under {OTHER_FILE_BYTES // 1024} KB each.", field="files",
            )
        checked.append(SlackFile(str(file.get("id") or ""), name, content_type, size, str(url)))
    images = sum(f.size for f in checked if f.content_type in IMAGE_TYPES)
    if images > IMAGE_TOTAL_BYTES:
        raise InvalidInput(
            f"Not sent: the images add up to {_megabytes(images)}; an MMS holds at most "
            f"{_megabytes(IMAGE_TOTAL_BYTES)} of JPEG, PNG and GIF images.", field="files",
        )
    return checked


def attach(session: Session, *, message_id: int, files: Sequence[SlackFile], now: datetime) -> None:
    """Rows for the files of an outbound message; the send downloads them before Twilio."""
    for position, file in enumerate(files):
        media.add(
            session, message_id=message_id, position=position, content_type=file.content_type,
            filename=file.name, source_url=file.download_url, size=file.size,
            slack_file_id=file.file_id or None, now=now,
        )


@dataclass(frozen=True)
class ServedMedia:
    path: Path
    content_type: str
    size: int


class MediaService:
    """Serves outbound media to Twilio and removes what expired."""

    def __init__(
        self, *, session_factory: sessionmaker[Session], urls: MediaUrls, media_dir: Path
    ) -> None:
        self.session_factory = session_factory
        self.urls = urls
        self.media_dir = media_dir

    def open(self, token: str) -> ServedMedia:
        """The file behind a link; NotFound for any unknown, tampered or expired token."""
        link = self.urls.parse(token)
        if link is None:
            raise NotFound("no such media")
        with self.session_factory.begin() as session:
            row = session.get(MessageMedia, link.media_id)
            team_id = media.team_of(session, row.message_id) if row is not None else None
            if (
                row is None or team_id is None or row.state != MediaState.STORED
                or row.expires_at is None or row.local_path is None
                or not self.urls.valid(
                    link, message_id=row.message_id, team_id=team_id, expires_at=row.expires_at
                )
                or row.expires_at <= utcnow()
            ):
                raise NotFound("no such media")
            path = self.media_dir / row.local_path
            content_type = row.content_type
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise NotFound("no such media") from exc
        return ServedMedia(path, content_type, size)

    def remove_expired(self) -> int:
        """Delete expired outbound files and inbound copies already in Slack; returns how many."""
        removed = 0
        with self.session_factory.begin() as session:
            rows = media.expired(session, now=utcnow(), limit=500)
            rows += media.finished_inbound_files(session, limit=500)
            for row in rows:
                if row.local_path:
                    (self.media_dir / row.local_path).unlink(missing_ok=True)
                state = MediaState.REMOVED if row.state == MediaState.STORED else row.state
                media.set_fields(session, row.id, local_path=None, state=state)
                removed += 1
        if removed:
            log.info("removed %d media files", removed)
        return removed
