"""Fetching a customer's MMS media from Twilio, and from nowhere else.

A MediaUrl must point at the TWILIO_API_URL host (scheme, host and port) and name a media
item of this account (`/2010-04-01/Accounts/{AccountSid}/Messages/{sid}/Media/{sid}`); it is
fetched with the account's Basic auth, so any other API path (the message log, the account)
would be read with those credentials and copied into Slack. Redirects are followed by hand,
at most MAX_REDIRECTS: to another media item on the API host keeps the credentials, to one of
Twilio's media hosts (SMSBRIDGE_MEDIA_HOSTS) drops them, anywhere else is refused.
Bodies are streamed with a size cap. Logs name hosts only: media URLs carry account and
message ids.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit

import requests

from bot.errors import GatewayError, TransientError

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
CHUNK = 64 * 1024
MEDIA_PATH = re.compile(
    r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/(?:MM|SM)[0-9a-fA-F]{32}"
    r"/Media/ME[0-9a-fA-F]{32}"
)


class MediaRefused(GatewayError):
    """The media can never be fetched as asked (foreign host, too big, 4xx): no retry."""


@dataclass(frozen=True)
class FetchedMedia:
    path: Path
    size: int
    sha256: str
    content_type: str | None


class MediaFetcher:
    def __init__(
        self, *, api_url: str, account_sid: str, auth_token: str, media_hosts: list[str],
        max_bytes: int, timeout: float,
    ) -> None:
        api = urlsplit(api_url)
        self.api_origin = (api.scheme, api.netloc.lower())
        self.api_prefix = api.path.rstrip("/")
        self.account_sid = account_sid
        self.auth = (account_sid, auth_token)
        self.media_hosts = [h.strip().lower() for h in media_hosts if h.strip()]
        self.max_bytes = max_bytes
        self.timeout = timeout

    def _is_api(self, url: str) -> bool:
        """On the API origin, and a media item of this account (nothing else of the API)."""
        parts = _split(url)
        if parts is None or (parts.scheme, parts.netloc.lower()) != self.api_origin \
                or parts.query:
            return False
        path = parts.path.removeprefix(self.api_prefix) if self.api_prefix else parts.path
        media = MEDIA_PATH.fullmatch(path)
        return media is not None and media.group(1) == self.account_sid

    def _is_media_host(self, url: str) -> bool:
        parts = _split(url)
        if parts is None or parts.scheme not in ("https", self.api_origin[0]):
            return False  # never downgrade to plain http unless the API itself is (tests)
        host = (parts.hostname or "").lower()
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.media_hosts)

    def check(self, url: str) -> None:
        """Refuse a MediaUrl that is not a media item on the Twilio API host, before any
        request."""
        if not self._is_api(url):
            host = _host(url)
            log.warning("refused MediaUrl on foreign host %s", host)
            raise MediaRefused(f"the media link points at {host}, which is not Twilio media")

    def fetch(self, url: str, into: Path) -> FetchedMedia:
        """Stream the media at `url` into the file `into`; raises MediaRefused or
        TransientError (connection trouble, 5xx: worth another try)."""
        self.check(url)
        current, with_auth = url, True
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = requests.get(
                    current, auth=self.auth if with_auth else None, stream=True,
                    allow_redirects=False, timeout=self.timeout,
                )
            except requests.RequestException as exc:
                raise TransientError(f"media host did not answer: {type(exc).__name__}") from exc
            with response:
                if response.is_redirect:
                    target = urljoin(current, response.headers.get("Location", ""))
                    if self._is_api(target):
                        current = target
                        continue
                    if self._is_media_host(target):
                        current, with_auth = target, False  # credentials stay with Twilio
                        continue
                    host = _host(target)
                    log.warning("refused media redirect to foreign host %s", host)
                    raise MediaRefused(f"Twilio redirected the media to {host}, not a media host")
                if response.status_code >= 500:
                    raise TransientError(f"media host answered {response.status_code}")
                if response.status_code != 200:
                    raise MediaRefused(f"Twilio answered {response.status_code}")
                return self._save(response, into)
        raise MediaRefused(f"more than {MAX_REDIRECTS} redirects")

    def _save(self, response: requests.Response, into: Path) -> FetchedMedia:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise MediaRefused(f"the file is larger than {self.max_bytes // (1024 * 1024)} MB")
        into.parent.mkdir(parents=True, exist_ok=True)
        partial = into.with_suffix(into.suffix + ".part")
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                for chunk in response.iter_content(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise MediaRefused(
                            f"the file is larger than {self.max_bytes // (1024 * 1024)} MB"
                        )
                    digest.update(chunk)
                    out.write(chunk)
        except requests.RequestException as exc:
            partial.unlink(missing_ok=True)
            raise TransientError(f"media download broke off: {type(exc).__name__}") from exc
        except MediaRefused:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(into)
        return FetchedMedia(into, size, digest.hexdigest(), response.headers.get("Content-Type"))


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None


def _host(url: str) -> str:
    """The host a refusal names (never the URL: it carries account and message ids)."""
    parts = _split(url)
    return (parts.hostname if parts else None) or "?"
