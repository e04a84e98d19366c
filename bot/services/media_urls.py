"""Unguessable, expiring links to outbound media, for Twilio to fetch.

A token names the media row and its expiry and carries an HMAC over (media id, message id,
workspace, expiry) with a key derived from the settings: a link is bound to the workspace
whose message it belongs to. Nothing secret is stored, and the same row
always gets the same link, so a resend after a crash points Twilio at a working URL.
Tampering with any part breaks the signature; every failure looks the same (404).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime


def derive_key(secret: str) -> bytes:
    """A key of its own for media links, so it never doubles as the secret it came from."""
    return hmac.new(secret.encode(), b"smsbridge media links v1", hashlib.sha256).digest()


MAX_DIGITS = 18
MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL


def _is_number(part: str) -> bool:
    """ASCII digits in canonical form: "01" would name row 1 through a second spelling."""
    return (part.isascii() and part.isdigit() and len(part) <= MAX_DIGITS
            and (part == "0" or not part.startswith("0")))


@dataclass(frozen=True)
class MediaLink:
    media_id: int
    expires_epoch: int
    signature: str


@dataclass(frozen=True)
class MediaUrls:
    key: bytes
    public_base_url: str

    def _sign(self, media_id: int, message_id: int, team_id: str, expires_epoch: int) -> str:
        signed = f"{media_id}:{message_id}:{team_id}:{expires_epoch}".encode()
        mac = hmac.new(self.key, signed, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def token(self, *, media_id: int, message_id: int, team_id: str, expires_at: datetime) -> str:
        epoch = int(expires_at.timestamp())
        return f"{media_id}-{epoch}-{self._sign(media_id, message_id, team_id, epoch)}"

    def url(self, *, media_id: int, message_id: int, team_id: str, expires_at: datetime) -> str:
        token = self.token(
            media_id=media_id, message_id=message_id, team_id=team_id, expires_at=expires_at
        )
        return f"{self.public_base_url.rstrip('/')}/media/{token}"

    @staticmethod
    def parse(token: str) -> MediaLink | None:
        """The parts of a token, or None. Ids and expiries are ASCII digits of a size a
        database integer holds, written the one way `token` writes them: `str.isdigit` alone
        lets through "²" (int() refuses it) and ids too large for SQLite/PostgreSQL, which
        turned a probe into a 500; a leading zero served the file under a tampered token."""
        parts = token.split("-", 2)
        if len(parts) != 3 or not all(_is_number(part) for part in parts[:2]):
            return None
        if int(parts[0]) > MAX_ID:
            return None
        return MediaLink(int(parts[0]), int(parts[1]), parts[2])

    def valid(
        self, link: MediaLink, *, message_id: int, team_id: str, expires_at: datetime
    ) -> bool:
        """The signature matches the row's message and workspace and the expiry the row was
        stored with."""
        if link.expires_epoch != int(expires_at.timestamp()):
            return False
        expected = self._sign(link.media_id, message_id, team_id, link.expires_epoch)
        return hmac.compare_digest(expected, link.signature)
