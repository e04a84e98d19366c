"""Twilio Messages API calls, with the client's errors wrapped once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.errors import OutcomeUnknown, RateLimited, TwilioRejected

log = logging.getLogger(__name__)

TWILIO_DEFAULT_API = "https://api.twilio.com"
RATE_LIMIT_CODES = {20429, 14107}


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends the client's requests to `TWILIO_API_URL` instead of api.twilio.com."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        if url.startswith(TWILIO_DEFAULT_API):
            url = self.base_url + url[len(TWILIO_DEFAULT_API):]
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str


@contextmanager
def _wrapped(action: str) -> Iterator[None]:
    try:
        yield
    except TwilioRestException as exc:
        if exc.status == 429 or exc.code in RATE_LIMIT_CODES:
            raise RateLimited(f"Twilio rate-limited {action}", retry_after=2.0) from exc
        if exc.status >= 500:
            raise OutcomeUnknown(f"Twilio answered {exc.status} to {action}") from exc
        raise TwilioRejected(str(exc.msg), code=exc.code, status=exc.status) from exc
    except requests.RequestException as exc:
        raise OutcomeUnknown(f"Twilio did not answer {action}: {type(exc).__name__}") from exc


@dataclass(frozen=True)
class AccountInfo:
    sid: str
    friendly_name: str | None
    status: str | None


@dataclass(frozen=True)
class NumberConfig:
    """Where Twilio sends an IncomingPhoneNumber's texts."""

    sid: str
    phone_number: str
    sms_url: str | None
    sms_method: str | None
    sms_application_sid: str | None
    status_callback: str | None


def _number_config(number: object) -> NumberConfig:
    def text(name: str) -> str | None:
        value = getattr(number, name, None)
        return str(value) if value else None

    return NumberConfig(
        sid=str(getattr(number, "sid", "")), phone_number=str(getattr(number, "phone_number", "")),
        sms_url=text("sms_url"), sms_method=text("sms_method"),
        sms_application_sid=text("sms_application_sid"), status_callback=text("status_callback"),
    )


class TwilioGateway:
    def __init__(self, client: Client) -> None:
        self.client = client

    def send(
        self,
        *,
        to: str,
        from_number: str | None,
        messaging_service_sid: str | None,
        body: str,
        media_urls: list[str],
        status_callback: str,
    ) -> SentMessage:
        kwargs: dict[str, object] = {"to": to, "status_callback": status_callback}
        if messaging_service_sid:
            kwargs["messaging_service_sid"] = messaging_service_sid
        else:
            kwargs["from_"] = from_number
        if body:
            kwargs["body"] = body
        if media_urls:
            kwargs["media_url"] = media_urls
        with _wrapped("messages.create"):
            message = self.client.messages.create(**kwargs)  # type: ignore[arg-type]
        return SentMessage(sid=str(message.sid), status=str(message.status))

    def sent_since(
        self,
        *,
        to: str,
        from_number: str | None,
        messaging_service_sid: str | None,
        body: str,
        since: datetime,
    ) -> list[SentMessage]:
        """Reconcile: messages to `to` with exactly `body` created since `since`.
        Newest first; stops reading at the first one older than `since`."""
        filters: dict[str, object] = {"to": to, "page_size": 50}
        if not messaging_service_sid:
            filters["from_"] = from_number
        found: list[SentMessage] = []
        with _wrapped("messages.list"):
            for message in self.client.messages.stream(**filters):  # type: ignore[arg-type]
                created = message.date_created
                if created is not None and created < since:
                    break
                if (message.body or "") != body:
                    continue
                if messaging_service_sid and message.messaging_service_sid != messaging_service_sid:
                    continue
                found.append(SentMessage(sid=str(message.sid), status=str(message.status)))
        return found

    # -- account and number settings (issue 9: `smsbridge doctor`) --------------------

    def account(self) -> AccountInfo:
        """The account the credentials belong to (TwilioRejected 401 when they are wrong)."""
        with _wrapped("accounts.fetch"):
            account = self.client.api.v2010.accounts(self.client.account_sid).fetch()
        return AccountInfo(
            sid=str(account.sid), friendly_name=account.friendly_name,
            status=str(account.status) if account.status else None,
        )

    def phone_number(self, e164: str) -> NumberConfig | None:
        """The account's IncomingPhoneNumber for `e164`, or None when it has no such number."""
        with _wrapped("incoming_phone_numbers.list"):
            found = self.client.incoming_phone_numbers.list(phone_number=e164, limit=20)
        for number in found:
            if number.phone_number == e164:
                return _number_config(number)
        return None

    def set_sms_url(self, sid: str, *, url: str, method: str) -> NumberConfig:
        with _wrapped("incoming_phone_numbers.update"):
            updated = self.client.incoming_phone_numbers(sid).update(sms_url=url, sms_method=method)
        return _number_config(updated)
