"""In-memory fake of Twilio's 2010-04-01 Messages API, spoken to over real HTTP.

Create requests are validated against Twilio's published OpenAPI description
(`shared/specs/twilio_api_v2010.json`); webhooks it sends (status callbacks,
inbound texts) carry a real `X-Twilio-Signature`.

Usage::

    with FakeTwilio() as tw:
        client = tw.client()  # a twilio.rest.Client whose requests go to the fake
        msg = client.messages.create(to="+15551230000", from_="+15557650000", body="hi")
        tw.send_status(msg.sid, "sent")
"""

from __future__ import annotations

import copy
import email.utils
import functools
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from tests.specs import spec_path

from .http import FakeServer, json_response

__all__ = [
    "FakeTwilio",
    "RedirectingHttpClient",
    "RequestLog",
    "load_spec",
    "segments",
]

TWILIO_API = "https://api.twilio.com"
API_VERSION = "2010-04-01"
_CREATE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€\f")

Params = dict[str, str | list[str]]
"""Form or query parameters: a str, or a list of str for a repeated name."""


# -- the OpenAPI spec (loaded once per process) ------------------------------------------


def _spec_path() -> Path:
    env = os.environ.get("TWILIO_OPENAPI_SPEC")
    return Path(env) if env else spec_path("twilio_api_v2010.json")


def load_spec() -> dict[str, Any]:
    """Twilio's OpenAPI document (cached; `$TWILIO_OPENAPI_SPEC` overrides the path)."""
    with _spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = json.load(handle)
    return spec


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    node: Any = load_spec()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    resolved: dict[str, Any] = node
    return resolved


@functools.cache
def _create_schema() -> tuple[dict[str, dict[str, Any]], frozenset[str]]:
    post = load_spec()["paths"][_CREATE_PATH]["post"]
    schema = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    props = {name: _resolve(prop) for name, prop in schema["properties"].items()}
    return props, frozenset(schema.get("required", []))


@functools.cache
def _list_params() -> frozenset[str]:
    params = load_spec()["paths"][_CREATE_PATH]["get"].get("parameters", [])
    return frozenset(p["name"] for p in params if p.get("in") == "query")


_NUMBERS_PATH = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json"
_NUMBER_PATH = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json"


@functools.cache
def _number_list_params() -> frozenset[str]:
    params = load_spec()["paths"][_NUMBERS_PATH]["get"].get("parameters", [])
    return frozenset(p["name"] for p in params if p.get("in") == "query")


@functools.cache
def _number_update_schema() -> dict[str, dict[str, Any]]:
    post = load_spec()["paths"][_NUMBER_PATH]["post"]
    schema = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return {name: _resolve(prop) for name, prop in schema["properties"].items()}


@functools.cache
def _schema_fields(name: str) -> tuple[str, ...]:
    return tuple(load_spec()["components"]["schemas"][name]["properties"])


@functools.cache
def _message_fields() -> tuple[str, ...]:
    return tuple(load_spec()["components"]["schemas"]["api.v2010.account.message"]["properties"])


@functools.cache
def _statuses() -> frozenset[str]:
    return frozenset(load_spec()["components"]["schemas"]["message_enum_status"]["enum"])


def segments(body: str) -> int:
    """SMS segments for `body`: GSM-7 (160/153) or UCS-2 (70/67, by UTF-16 units)."""
    if all(ch in _GSM7 or ch in _GSM7_EXT for ch in body):
        units = sum(2 if ch in _GSM7_EXT else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def _rfc2822(moment: datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def _parse_rfc2822(value: str | None) -> datetime | None:
    return email.utils.parsedate_to_datetime(value) if value else None


def _created_key(record: Mapping[str, Any]) -> tuple[datetime, int]:
    created = _parse_rfc2822(record["date_created"]) or datetime.min.replace(tzinfo=UTC)
    return created, int(record["seq"])


def _sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _multi_to_params(multi: MultiDict[str, str]) -> Params:
    out: Params = {}
    for key in multi:
        values = multi.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


# -- records ------------------------------------------------------------------------------


@dataclass
class RequestLog:
    """One HTTP request the fake received."""

    method: str
    path: str
    params: Params
    auth_ok: bool
    status: int = 0
    monotonic: float = 0.0
    wall: float = 0.0


class _TwilioError(Exception):
    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _error_response(status: int, code: int | None, message: str) -> Response:
    body: dict[str, Any] = {"message": message, "status": status}
    if code is not None:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    return json_response(body, status=status)


@dataclass
class _Failure:
    status: int
    code: int | None
    message: str | None
    remaining: int


class RedirectingHttpClient(TwilioHttpClient):
    """TwilioHttpClient that sends `https://api.twilio.com/...` requests to a fake instead."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target.rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        """Rewrite the Twilio host to the fake's URL, then send as usual."""
        if url.startswith(TWILIO_API):
            url = self.target + url[len(TWILIO_API) :]
        response: TwilioResponse = super().request(
            method, url, params, data, headers, auth, timeout, allow_redirects
        )
        return response


# -- the fake -----------------------------------------------------------------------------


class FakeTwilio(FakeServer):
    """Fake Twilio REST API (Account, Messages + Media, IncomingPhoneNumbers) and webhook
    sender on 127.0.0.1."""

    account_sid = "AC" + "0123456789abcdef" * 2
    auth_token = "f0e1d2c3b4a5968778695a4b3c2d1e0f"

    def __init__(self) -> None:
        super().__init__()
        #: Every message resource by sid (created through the API or inbound).
        self.messages: dict[str, dict[str, Any]] = {}
        #: Messages created through the API, in order. Each is the stored record:
        #: the resource fields plus "params" (raw form), "status_callback", "media_urls".
        self.created: list[dict[str, Any]] = []
        self.requests: list[RequestLog] = []
        #: Problems found by validating create/list requests against the OpenAPI spec.
        self.spec_violations: list[str] = []
        #: `to` numbers, or (from_or_messaging_service, to) pairs, that texted STOP.
        self.unsubscribed: set[str | tuple[str, str]] = set()
        #: `to` numbers that are landlines (create answers 21614).
        self.landlines: set[str] = set()
        #: Media served to webhooks receivers: (message sid, media sid) -> (type, bytes).
        self.media: dict[tuple[str, str], tuple[str, bytes]] = {}
        #: When set, media GETs answer 302 to this URL + the media path.
        self.media_redirect_to: str | None = None
        #: Media requests: method, path, authorization (header as received), status.
        self.media_requests: list[dict[str, Any]] = []
        #: The next this-many media GETs answer 503 (a media host having a bad moment).
        self.media_failures = 0
        #: Webhooks this fake POSTed: url, params, signature, status.
        self.webhooks: list[dict[str, Any]] = []
        #: IncomingPhoneNumber resources of the account by sid (`add_phone_number`).
        self.phone_numbers: dict[str, dict[str, Any]] = {}
        #: IncomingPhoneNumber updates received: sid and the form parameters.
        self.number_updates: list[dict[str, Any]] = []
        #: The account's status as Accounts/{Sid}.json reports it.
        self.account_status = "active"
        self.account_name = "Acme Support"
        self.validator = RequestValidator(self.auth_token)
        self._seq = 0
        self._failures: list[_Failure] = []

    # -- addresses and clients ---------------------------------------------------------

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, to stand in for `https://api.twilio.com`."""
        return self.base_url

    @property
    def cdn_url(self) -> str:
        """A different host name for this server, for `media_redirect_to` ("media CDN")."""
        return f"http://localhost:{self.port}/cdn"

    def media_url(self, message_sid: str, media_sid: str) -> str:
        """Absolute URL of one media item on this fake."""
        return f"{self.url}{self._account_path()}/Messages/{message_sid}/Media/{media_sid}"

    def client(self, **http_kwargs: Any) -> Client:
        """A twilio.rest.Client with this fake's credentials, talking to this fake."""
        http_client = RedirectingHttpClient(self.url, **http_kwargs)
        return Client(self.account_sid, self.auth_token, http_client=http_client)

    def _account_path(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}"

    # -- inspection --------------------------------------------------------------------

    def message(self, sid: str) -> dict[str, Any]:
        """Copy of a stored message record (KeyError if unknown)."""
        with self._lock:
            return copy.deepcopy(self.messages[sid])

    def created_to(self, to: str) -> list[dict[str, Any]]:
        """Copies of the messages created through the API to one number, in order."""
        with self._lock:
            return [copy.deepcopy(r) for r in self.created if r["to"] == to]

    def describe(self) -> str:
        """Summary used in wait_for failures."""
        with self._lock:
            recent = ", ".join(f"{r.method} {r.path}->{r.status}" for r in self.requests[-6:])
            return (
                f"{len(self.created)} created, {len(self.requests)} requests "
                f"(last: {recent or 'none'}); spec violations: {self.spec_violations}"
            )

    def add_phone_number(
        self,
        phone_number: str,
        *,
        sms_url: str | None = None,
        sms_method: str = "POST",
        status_callback: str | None = None,
        sms_application_sid: str | None = None,
    ) -> str:
        """Give the account an IncomingPhoneNumber (as buying one would); returns its sid."""
        sid = _sid("PN")
        now = _rfc2822(datetime.now(UTC))
        record: dict[str, Any] = dict.fromkeys(
            _schema_fields("api.v2010.account.incoming_phone_number")
        )
        record.update(
            {
                "account_sid": self.account_sid,
                "api_version": API_VERSION,
                "beta": False,
                "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
                "date_created": now,
                "date_updated": now,
                "friendly_name": phone_number,
                "phone_number": phone_number,
                "origin": "twilio",
                "sid": sid,
                "sms_application_sid": sms_application_sid or "",
                "sms_fallback_method": "POST",
                "sms_fallback_url": "",
                "sms_method": sms_method,
                "sms_url": sms_url or "",
                "status_callback": status_callback or "",
                "status_callback_method": "POST",
                "uri": f"{self._account_path()}/IncomingPhoneNumbers/{sid}.json",
                "voice_method": "POST",
                "voice_url": "",
                "voice_caller_id_lookup": False,
                "voice_receive_mode": "voice",
                "emergency_status": "Inactive",
                "address_requirements": "none",
                "status": "in-use",
                "type": "local",
            }
        )
        with self._lock:
            self.phone_numbers[sid] = record
        return sid

    def phone_number(self, phone_number: str) -> dict[str, Any]:
        """Copy of the account's IncomingPhoneNumber for `phone_number` (KeyError if none)."""
        with self._lock:
            for record in self.phone_numbers.values():
                if record["phone_number"] == phone_number:
                    return copy.deepcopy(record)
        raise KeyError(phone_number)

    # -- failure injection -------------------------------------------------------------

    def fail_next_create(
        self, *, status: int, code: int | None = None, times: int = 1, message: str | None = None
    ) -> None:
        """The next `times` creates answer `status` with Twilio's error JSON (no message made)."""
        with self._lock:
            self._failures.append(_Failure(status, code, message, times))

    def hang_next_create(self, *, record: bool, times: int = 1) -> threading.Event:
        """Hold the next create(s) until the returned event is set or stop().

        record=True creates the message first and answers 201 when released;
        record=False creates nothing and answers 500 when released.
        """
        with self._lock:
            return self._hangs.add("create", record=record, times=times)

    # -- webhooks the fake sends -------------------------------------------------------

    def sign(self, url: str, params: Mapping[str, str | Sequence[str]]) -> str:
        """`X-Twilio-Signature` value for a POST of `params` to `url`."""
        form: MultiDict[str, str] = MultiDict()
        for key, value in params.items():
            for one in [value] if isinstance(value, str) else value:
                form.add(key, one)
        signature: str = self.validator.compute_signature(url, form)
        return signature

    def post_signed(
        self,
        url: str,
        params: Mapping[str, str | Sequence[str]],
        *,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> requests.Response:
        """POST `params` form-encoded to `url` with a Twilio signature (or `signature`)."""
        sig = signature if signature is not None else self.sign(url, params)
        all_headers = {
            "X-Twilio-Signature": sig,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        all_headers.update(headers or {})
        form = {k: (v if isinstance(v, str) else list(v)) for k, v in params.items()}
        response = requests.post(url, data=form, headers=all_headers, timeout=timeout)
        with self._lock:
            self.webhooks.append(
                {
                    "url": url,
                    "params": form,
                    "signature": sig,
                    "status": response.status_code,
                }
            )
        return response

    def send_status(
        self,
        sid: str,
        status: str,
        *,
        error_code: int | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Move a message to `status` and POST the signed status callback Twilio would send."""
        if status not in _statuses():
            raise ValueError(f"unknown message status {status!r}")
        with self._lock:
            record = self.messages[sid]
            url = record["status_callback"]
            if not url:
                raise ValueError(f"message {sid} has no StatusCallback")
            now = datetime.now(UTC)
            record["status"] = status
            record["date_updated"] = _rfc2822(now)
            if status in ("sent", "delivered", "undelivered") and record["date_sent"] is None:
                record["date_sent"] = _rfc2822(now)
            if error_code is not None:
                record["error_code"] = error_code
            params: dict[str, str] = {
                "MessageSid": sid,
                "SmsSid": sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "AccountSid": self.account_sid,
                "From": record["from"] or "",
                "To": record["to"],
                "ApiVersion": API_VERSION,
            }
            if record["messaging_service_sid"]:
                params["MessagingServiceSid"] = record["messaging_service_sid"]
            if error_code is not None:
                params["ErrorCode"] = str(error_code)
            params.update(extra or {})
        return self.post_signed(url, params)

    def send_inbound(
        self,
        webhook_url: str,
        *,
        from_: str,
        to: str,
        body: str = "",
        media: Iterable[tuple[str, bytes]] = (),
        message_sid: str | None = None,
        messaging_service_sid: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """POST Twilio's signed inbound-message webhook; media (type, bytes) is served here."""
        sid = message_sid or _sid("SM")
        items = list(media)
        now = datetime.now(UTC)
        params: dict[str, str] = {
            "ToCountry": "US",
            "ToState": "CA",
            "SmsMessageSid": sid,
            "NumMedia": str(len(items)),
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": body,
            "FromCountry": "US",
            "To": to,
        }
        if messaging_service_sid:
            params["MessagingServiceSid"] = messaging_service_sid
        params["ToZip"] = ""
        params["NumSegments"] = str(segments(body))
        with self._lock:
            for index, (content_type, content) in enumerate(items):
                media_sid = _sid("ME")
                self.media[(sid, media_sid)] = (content_type, content)
                params[f"MediaContentType{index}"] = content_type
                params[f"MediaUrl{index}"] = self.media_url(sid, media_sid)
            record = self._new_record(
                sid,
                to=to,
                from_=from_,
                body=body,
                direction="inbound",
                status="received",
                messaging_service_sid=messaging_service_sid,
                num_media=len(items),
                now=now,
            )
            record["date_sent"] = record["date_created"]
        params["MessageSid"] = sid
        params["AccountSid"] = self.account_sid
        params["From"] = from_
        params["ApiVersion"] = API_VERSION
        params.update(extra or {})
        return self.post_signed(webhook_url, params)

    def fetch_media(self, sid: str) -> list[requests.Response]:
        """GET each MediaUrl of a created message, as Twilio does when it sends an MMS."""
        with self._lock:
            urls = list(self.messages[sid]["media_urls"])
        headers = {"User-Agent": "TwilioProxy/1.1"}
        return [requests.get(url, timeout=30, headers=headers) for url in urls]

    # -- HTTP dispatch -----------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Route /2010-04-01/Accounts/{sid}/Messages... and /cdn/... requests."""
        if request.path.startswith("/cdn/"):
            return self._cdn(request)
        params = _multi_to_params(request.form if request.method == "POST" else request.args)
        auth = request.authorization
        auth_ok = (
            auth is not None
            and auth.type == "basic"
            and auth.username == self.account_sid
            and auth.password == self.auth_token
        )
        log = RequestLog(
            request.method, request.path, params, auth_ok, 0, time.monotonic(), time.time()
        )
        with self._lock:
            self.requests.append(log)
        try:
            response = self._route(request, params, auth_ok)
        except _TwilioError as exc:
            response = _error_response(exc.status, exc.code, exc.message)
        with self._lock:
            log.status = response.status_code
        return response

    def _route(self, request: Request, params: Params, auth_ok: bool) -> Response:
        parts = request.path.strip("/").split("/")
        if parts[-1].endswith(".json") and len(parts) == 3:
            parts[-1] = parts[-1][: -len(".json")]  # Accounts/{Sid}.json
        if len(parts) < 3 or parts[0] != API_VERSION or parts[1] != "Accounts":
            raise _TwilioError(404, 20404, "The requested resource was not found")
        is_media = len(parts) >= 6 and parts[3] == "Messages" and parts[5].startswith("Media")
        if is_media:
            self._record_media_request(request, auth_ok)
        if not auth_ok:
            response = _error_response(401, 20003, "Authenticate")
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        if parts[2] != self.account_sid:
            raise _TwilioError(404, 20404, f"The requested resource {request.path} was not found")
        rest = parts[3:]
        if len(parts) == 3 and request.method == "GET":
            return json_response(self._account_resource())
        if rest and rest[0].startswith("IncomingPhoneNumbers"):
            return self._numbers(request, rest, params)
        if rest == ["Messages.json"]:
            if request.method == "POST":
                return self._create(params)
            if request.method == "GET":
                return self._list(params)
        elif len(rest) == 2 and rest[0] == "Messages" and rest[1].endswith(".json"):
            if request.method == "GET":
                return json_response(self._render(self._get(rest[1][: -len(".json")])))
        elif is_media and request.method in ("GET", "HEAD"):
            return self._media(request, rest)
        raise _TwilioError(405, 20004, "Method not allowed")

    # -- account and incoming phone numbers -----------------------------------------------

    def _account_resource(self) -> dict[str, Any]:
        record: dict[str, Any] = dict.fromkeys(_schema_fields("api.v2010.account"))
        path = self._account_path()
        record.update(
            {
                "auth_token": self.auth_token,
                "date_created": "Thu, 01 Jan 2026 00:00:00 +0000",
                "date_updated": "Thu, 01 Jan 2026 00:00:00 +0000",
                "friendly_name": self.account_name,
                "owner_account_sid": self.account_sid,
                "sid": self.account_sid,
                "status": self.account_status,
                "subresource_uris": {
                    "messages": f"{path}/Messages.json",
                    "incoming_phone_numbers": f"{path}/IncomingPhoneNumbers.json",
                },
                "type": "Full",
                "uri": f"{path}.json",
            }
        )
        return record

    def _numbers(self, request: Request, rest: list[str], params: Params) -> Response:
        if rest == ["IncomingPhoneNumbers.json"] and request.method == "GET":
            return self._list_numbers(params)
        if len(rest) == 2 and rest[1].endswith(".json"):
            sid = rest[1][: -len(".json")]
            with self._lock:
                record = self.phone_numbers.get(sid)
            if record is None:
                raise _TwilioError(
                    404, 20404, f"The requested resource {self._account_path()}/"
                    f"IncomingPhoneNumbers/{sid}.json was not found",
                )
            if request.method == "GET":
                return json_response(self._render_number(record))
            if request.method == "POST":
                return json_response(self._update_number(sid, params))
        raise _TwilioError(405, 20004, "Method not allowed")

    def _render_number(self, record: Mapping[str, Any]) -> dict[str, Any]:
        fields = _schema_fields("api.v2010.account.incoming_phone_number")
        return {name: copy.deepcopy(record.get(name)) for name in fields}

    def _list_numbers(self, params: Params) -> Response:
        unknown = sorted(set(params) - _number_list_params())
        if unknown:
            with self._lock:
                self.spec_violations.append(
                    f"GET IncomingPhoneNumbers.json: unknown parameters {unknown}"
                )
            raise _TwilioError(400, 20001, f"Unknown parameters {unknown}")
        # Twilio matches PhoneNumber on all or part of the number.
        wanted = (_first(params.get("PhoneNumber")) or "").strip()
        page_size = int(_first(params.get("PageSize")) or 50)
        with self._lock:
            records = [
                self._render_number(r)
                for r in self.phone_numbers.values()
                if wanted.lstrip("+") in r["phone_number"]
            ]
        base = f"{self._account_path()}/IncomingPhoneNumbers.json"
        query = urlencode({**({"PhoneNumber": wanted} if wanted else {}), "PageSize": page_size})
        return json_response(
            {
                "incoming_phone_numbers": records[:page_size],
                "page": 0,
                "page_size": page_size,
                "start": 0,
                "end": max(len(records[:page_size]) - 1, 0),
                "uri": f"{base}?{query}&Page=0",
                "first_page_uri": f"{base}?{query}&Page=0",
                "next_page_uri": None,
                "previous_page_uri": None,
            }
        )

    def _update_number(self, sid: str, params: Params) -> dict[str, Any]:
        props = _number_update_schema()
        problems = []
        for name, value in params.items():
            prop = props.get(name)
            if prop is None:
                problems.append(f"unknown parameter {name!r}")
                continue
            for one in _as_list(value):
                found = self._check_value(name, one, prop)
                if found:
                    problems.append(found)
        with self._lock:
            if problems:
                self.spec_violations.extend(
                    f"POST IncomingPhoneNumbers/{sid}.json: {p}" for p in problems
                )
                raise _TwilioError(400, 20001, problems[0])
            record = self.phone_numbers[sid]
            self.number_updates.append({"sid": sid, "params": copy.deepcopy(params)})
            for name, value in params.items():
                field = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
                if field in record:
                    record[field] = _first(value)
            record["date_updated"] = _rfc2822(datetime.now(UTC))
            return self._render_number(record)

    def _get(self, sid: str) -> dict[str, Any]:
        with self._lock:
            record = self.messages.get(sid)
            if record is None:
                raise _TwilioError(
                    404,
                    20404,
                    f"The requested resource {self._account_path()}/Messages/{sid}.json "
                    "was not found",
                )
            return copy.deepcopy(record)

    def _render(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {name: copy.deepcopy(record.get(name)) for name in _message_fields()}

    # -- create ------------------------------------------------------------------------

    def _validate_create(self, params: Params) -> list[tuple[int, str]]:
        props, required = _create_schema()
        problems: list[tuple[int, str]] = []
        for name, value in params.items():
            prop = props.get(name)
            if prop is None:
                problems.append((20001, f"unknown parameter {name!r}"))
                continue
            values = _as_list(value)
            if len(values) > 1 and prop.get("type") != "array":
                problems.append((20001, f"parameter {name!r} repeated"))
            item = _resolve(prop.get("items", {})) if prop.get("type") == "array" else prop
            for one in values:
                problem = self._check_value(name, one, item)
                if problem:
                    problems.append((20001, problem))
        for name in sorted(required - set(params)):
            code = 21604 if name == "To" else 20001
            problems.append((code, f"required parameter {name!r} missing"))
        if not params.get("From") and not params.get("MessagingServiceSid"):
            problems.append((21603, "A 'From' phone number or MessagingServiceSid is required"))
        if not any(params.get(k) for k in ("Body", "MediaUrl", "ContentSid")):
            problems.append((21602, "Message body (Body, MediaUrl or ContentSid) is required"))
        return problems

    @staticmethod
    def _check_value(name: str, value: str, schema: dict[str, Any]) -> str | None:
        kind = schema.get("type")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            return f"{name}={value!r} is not an integer"
        if kind == "number":
            try:
                float(value)
            except ValueError:
                return f"{name}={value!r} is not a number"
        if kind == "boolean" and value.lower() not in ("true", "false"):
            return f"{name}={value!r} is not a boolean"
        if "enum" in schema and value not in schema["enum"]:
            return f"{name}={value!r} not one of {schema['enum']}"
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not re.search(pattern, value):
            return f"{name}={value!r} does not match {pattern}"
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 10**9):
            return f"{name}={value!r} has a bad length"
        if schema.get("format") == "uri":
            parsed = urlparse(value)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                return f"{name}={value!r} is not an absolute http(s) URL"
        if schema.get("format") == "date-time":
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return f"{name}={value!r} is not an ISO 8601 date-time"
        return None

    def _take_failure(self) -> _Failure | None:
        if not self._failures:
            return None
        failure = self._failures[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            self._failures.pop(0)
        return failure

    def _create(self, params: Params) -> Response:
        problems = self._validate_create(params)
        with self._lock:
            if problems:
                self.spec_violations.extend(f"POST Messages.json: {p}" for _, p in problems)
                raise _TwilioError(400, problems[0][0], problems[0][1])
            failure = self._take_failure()
            hang = self._hangs.take("create")
        if failure is not None:
            code = failure.code
            default = "Too Many Requests" if failure.status == 429 else "Service unavailable"
            raise _TwilioError(failure.status, code, failure.message or default)
        if hang is not None and not hang[0]:
            self._hang(hang[1])
            raise _TwilioError(500, 20500, "An internal server error has occurred")
        with self._lock:
            record = self._create_locked(params)
        if hang is not None and not self._hang(hang[1]):
            raise _TwilioError(500, 20500, "An internal server error has occurred")
        return json_response(self._render(record), status=201)

    def _create_locked(self, params: Params) -> dict[str, Any]:
        to = _first(params.get("To")) or ""
        from_ = _first(params.get("From"))
        service = _first(params.get("MessagingServiceSid"))
        body = _first(params.get("Body")) or ""
        if not _E164.match(to):
            raise _TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to in self.unsubscribed or any(
            (sender, to) in self.unsubscribed for sender in (from_, service) if sender
        ):
            raise _TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
        if to in self.landlines:
            raise _TwilioError(400, 21614, f"'To' number {to} is not a valid mobile number")
        if len(body) > 1600:
            raise _TwilioError(
                400, 21617, "The concatenated message body exceeds the 1600 character limit"
            )
        media_urls = _as_list(params.get("MediaUrl"))
        scheduled = bool(params.get("SendAt")) and params.get("ScheduleType") == "fixed"
        record = self._new_record(
            _sid("SM"),
            to=to,
            from_=from_,
            body=body,
            direction="outbound-api",
            status="scheduled" if scheduled else ("accepted" if service else "queued"),
            messaging_service_sid=service,
            num_media=len(media_urls),
            now=datetime.now(UTC),
        )
        record["params"] = copy.deepcopy(params)
        record["status_callback"] = _first(params.get("StatusCallback"))
        record["media_urls"] = media_urls
        self.created.append(record)
        return record

    def _new_record(
        self,
        sid: str,
        *,
        to: str,
        from_: str | None,
        body: str,
        direction: str,
        status: str,
        messaging_service_sid: str | None,
        num_media: int,
        now: datetime,
    ) -> dict[str, Any]:
        self._seq += 1
        uri = f"{self._account_path()}/Messages/{sid}"
        record: dict[str, Any] = dict.fromkeys(_message_fields())
        record.update(
            {
                "account_sid": self.account_sid,
                "api_version": API_VERSION,
                "body": body,
                "date_created": _rfc2822(now),
                "date_updated": _rfc2822(now),
                "date_sent": None,
                "direction": direction,
                "error_code": None,
                "error_message": None,
                "from": from_,
                "to": to,
                "messaging_service_sid": messaging_service_sid,
                "num_media": str(num_media),
                "num_segments": str(segments(body)),
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": status,
                "subresource_uris": {
                    "media": f"{uri}/Media.json",
                    "feedback": f"{uri}/Feedback.json",
                },
                "uri": f"{uri}.json",
                "params": {},
                "status_callback": None,
                "media_urls": [],
                "seq": self._seq,
            }
        )
        self.messages[sid] = record
        return record

    # -- list --------------------------------------------------------------------------

    def _list(self, params: Params) -> Response:
        allowed = _list_params()
        unknown = sorted(set(params) - allowed)
        if unknown:
            with self._lock:
                self.spec_violations.append(f"GET Messages.json: unknown parameters {unknown}")
            raise _TwilioError(400, 20001, f"Unknown parameters {unknown}")
        try:
            page_size = int(_first(params.get("PageSize")) or 50)
            page = int(_first(params.get("Page")) or 0)
        except ValueError as exc:
            raise _TwilioError(400, 20001, "Invalid Page or PageSize") from exc
        if not 1 <= page_size <= 1000 or page < 0:
            raise _TwilioError(400, 20001, "Invalid Page or PageSize")
        filters = {
            k: str(_first(params[k]))
            for k in ("To", "From", "DateSent", "DateSent<", "DateSent>")
            if params.get(k)
        }
        tests = [self._date_test(k, v) for k, v in filters.items() if k.startswith("DateSent")]
        with self._lock:
            records = [
                r
                for r in self.messages.values()
                if r["to"] == filters.get("To", r["to"])
                and r["from"] == filters.get("From", r["from"])
                and all(test(_parse_rfc2822(r["date_sent"])) for test in tests)
            ]
            records.sort(key=_created_key, reverse=True)
            sids = [r["sid"] for r in records]
            start = page * page_size
            token = _first(params.get("PageToken")) or ""
            if token[:2] == "PA" and token[2:] in sids:
                start = sids.index(token[2:]) + 1
            elif token[:2] == "PB" and token[2:] in sids:
                start = max(0, sids.index(token[2:]) - page_size)
            chunk = records[start : start + page_size]
            messages = [self._render(r) for r in chunk]
            has_next = start + page_size < len(records)

        base = f"{self._account_path()}/Messages.json"

        def page_uri(number: int, page_token: str | None = None) -> str:
            query = {**filters, "PageSize": str(page_size), "Page": str(number)}
            if page_token:
                query["PageToken"] = page_token
            return f"{base}?{urlencode(query)}"

        return json_response(
            {
                "messages": messages,
                "page": page,
                "page_size": page_size,
                "uri": page_uri(page, token or None),
                "first_page_uri": page_uri(0),
                "next_page_uri": page_uri(page + 1, "PA" + chunk[-1]["sid"])
                if has_next and chunk
                else None,
                "previous_page_uri": page_uri(page - 1, "PB" + chunk[0]["sid"])
                if page > 0 and chunk
                else None,
                "start": start,
                "end": start + max(len(chunk) - 1, 0),
            }
        )

    @staticmethod
    def _date_test(name: str, value: str) -> Callable[[datetime | None], bool]:
        """A predicate over date_sent (None never matches) for a DateSent filter."""
        exact: datetime | None = None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                day = date.fromisoformat(value)
            else:
                if "," in value:
                    exact = email.utils.parsedate_to_datetime(value)
                else:
                    exact = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if exact.tzinfo is None:
                    exact = exact.replace(tzinfo=UTC)
                day = exact.astimezone(UTC).date()
        except (TypeError, ValueError) as exc:
            raise _TwilioError(400, 20001, f"Invalid {name}: {value}") from exc

        def test(sent: datetime | None) -> bool:
            if sent is None:
                return False
            if name == "DateSent":
                return sent.astimezone(UTC).date() == day
            if exact is not None:
                return sent <= exact if name == "DateSent<" else sent >= exact
            sent_day = sent.astimezone(UTC).date()
            return sent_day <= day if name == "DateSent<" else sent_day >= day

        return test

    # -- media -------------------------------------------------------------------------

    def _record_media_request(self, request: Request, auth_ok: bool) -> None:
        with self._lock:
            self.media_requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "authorization": request.headers.get("Authorization"),
                    "auth_ok": auth_ok,
                }
            )

    def _media_item(self, message_sid: str, media_sid: str) -> tuple[str, bytes]:
        with self._lock:
            item = self.media.get((message_sid, media_sid))
        if item is None:
            raise _TwilioError(404, 20404, "The requested resource was not found")
        return item

    def _media(self, request: Request, rest: list[str]) -> Response:
        message_sid = rest[1]
        if rest[2:] == ["Media.json"]:
            with self._lock:
                sids = [m for (s, m) in self.media if s == message_sid]
            items = [self._media_resource(message_sid, m) for m in sids]
            return json_response({"media_list": items, "page": 0, "next_page_uri": None})
        if len(rest) != 4:
            raise _TwilioError(404, 20404, "The requested resource was not found")
        media_sid = rest[3]
        if media_sid.endswith(".json"):
            return json_response(self._media_resource(message_sid, media_sid[: -len(".json")]))
        content_type, content = self._media_item(message_sid, media_sid)
        with self._lock:
            failing = self.media_failures > 0
            self.media_failures -= 1 if failing else 0
        if failing:
            raise _TwilioError(503, 20500, "Service Unavailable")
        redirect = self.media_redirect_to
        if redirect:
            location = redirect.rstrip("/") + request.path
            return Response(status=302, headers={"Location": location})
        return Response(content, content_type=content_type)

    def _media_resource(self, message_sid: str, media_sid: str) -> dict[str, Any]:
        content_type, _ = self._media_item(message_sid, media_sid)
        created = self._get(message_sid)["date_created"]
        return {
            "account_sid": self.account_sid,
            "content_type": content_type,
            "date_created": created,
            "date_updated": created,
            "parent_sid": message_sid,
            "sid": media_sid,
            "uri": f"{self._account_path()}/Messages/{message_sid}/Media/{media_sid}.json",
        }

    def _cdn(self, request: Request) -> Response:
        """Serve media without credentials at /cdn/<media path> (the redirect target)."""
        path = request.path[len("/cdn") :]
        parts = path.strip("/").split("/")
        with self._lock:
            self.media_requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "authorization": request.headers.get("Authorization"),
                    "auth_ok": None,
                }
            )
        if len(parts) != 7 or request.method not in ("GET", "HEAD"):
            return Response("Not Found", status=404, mimetype="text/plain")
        try:
            content_type, content = self._media_item(parts[4], parts[6])
        except _TwilioError:
            return Response("Not Found", status=404, mimetype="text/plain")
        return Response(content, content_type=content_type)
