"""A compact emulator of the Twilio Messages API and of Twilio's webhooks, for the sandbox.

The official `twilio` client reaches it through TWILIO_API_URL: it creates and lists
messages and serves inbound media. Like Twilio it signs the webhooks it sends: a customer's
text to a number's incoming-message URL, and each sent message's status callbacks
(queued → sent → delivered), so the app sees the same traffic it would in production.
"""

from __future__ import annotations

import email.utils
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Request, Response

from bot.sandbox.http_server import EmulatorServer, json_response

API_VERSION = "2010-04-01"
# How long the emulated carrier takes to move a message on (seconds): visible, not slow.
SENT_AFTER = 0.4
DELIVERED_AFTER = 0.8


def _sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def _rfc2822(moment: datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)


@dataclass
class Sms:
    """One message as Twilio keeps it."""

    sid: str
    from_: str
    to: str
    body: str
    direction: str  # "inbound" | "outbound-api"
    status: str
    created: datetime
    media: list[str] = field(default_factory=list)
    """Outbound: the MediaUrl links the app gave; inbound: our own media URLs."""
    status_callback: str | None = None
    messaging_service_sid: str | None = None

    def resource(self, account_sid: str) -> dict[str, Any]:
        """The Message resource as the API renders it."""
        uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{self.sid}.json"
        return {
            "sid": self.sid, "account_sid": account_sid, "api_version": API_VERSION,
            "from": self.from_, "to": self.to, "body": self.body, "direction": self.direction,
            "status": self.status, "num_media": str(len(self.media)), "num_segments": "1",
            "messaging_service_sid": self.messaging_service_sid,
            "date_created": _rfc2822(self.created), "date_updated": _rfc2822(self.created),
            "date_sent": _rfc2822(self.created) if self.status != "queued" else None,
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "uri": uri, "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        }


class TwilioEmulator(EmulatorServer):
    """Messages create/list/fetch, inbound media, and signed webhooks to the app."""

    account_sid = "AC" + "0" * 32
    auth_token = "sandbox-auth-token"

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[str, Sms] = {}
        self.media: dict[str, tuple[str, bytes]] = {}  # media sid → (content type, bytes)
        self.sms_urls: dict[str, str] = {}  # business number → its incoming-message URL
        self.validator = RequestValidator(self.auth_token)

    @property
    def url(self) -> str:
        """TWILIO_API_URL for the app."""
        return self.base_url

    # -- what the customer's phone does -------------------------------------------------

    def configure_number(self, number: str, sms_url: str) -> None:
        """Point a number's incoming messages at a webhook (Twilio console's "A message
        comes in")."""
        with self._lock:
            self.sms_urls[number] = sms_url

    def text_in(
        self, *, from_: str, to: str, body: str, media: list[tuple[str, bytes]] | None = None
    ) -> tuple[Sms, requests.Response]:
        """A customer texts a number: stored, then the signed webhook is POSTed."""
        with self._lock:
            url = self.sms_urls.get(to)
            if url is None:
                raise KeyError(f"{to} is not one of this account's numbers")
            sms = Sms(sid=_sid("SM"), from_=from_, to=to, body=body, direction="inbound",
                      status="received", created=datetime.now(UTC))
            params: dict[str, str] = {
                "MessageSid": sms.sid, "SmsSid": sms.sid, "SmsMessageSid": sms.sid,
                "AccountSid": self.account_sid, "From": from_, "To": to, "Body": body,
                "NumMedia": str(len(media or [])), "NumSegments": "1",
                "SmsStatus": "received", "ApiVersion": API_VERSION,
            }
            for index, (content_type, content) in enumerate(media or []):
                media_sid = _sid("ME")
                self.media[media_sid] = (content_type, content)
                link = (f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/Messages/"
                        f"{sms.sid}/Media/{media_sid}")
                sms.media.append(link)
                params[f"MediaUrl{index}"] = link
                params[f"MediaContentType{index}"] = content_type
            self.messages[sms.sid] = sms
        return sms, self._post_signed(url, params)

    def conversation(self, phone: str) -> list[Sms]:
        """What `phone` has sent and received (outbound shown once the carrier sent it)."""
        with self._lock:
            return sorted(
                (m for m in self.messages.values()
                 if m.from_ == phone or (m.to == phone and m.status in ("sent", "delivered"))),
                key=lambda m: m.created,
            )

    def _post_signed(self, url: str, params: Mapping[str, str]) -> requests.Response:
        signature = self.validator.compute_signature(url, dict(params))
        return requests.post(
            url, data=dict(params), timeout=30,
            headers={"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"},
        )

    # -- the carrier: status callbacks ---------------------------------------------------

    def _carry(self, sid: str) -> None:
        """Move a created message to sent, then delivered, telling its status callback."""
        for status, delay in (("sent", SENT_AFTER), ("delivered", DELIVERED_AFTER)):
            if self._stopping.wait(delay):
                return
            with self._lock:
                sms = self.messages[sid]
                sms.status = status
                callback = sms.status_callback
                params = {
                    "MessageSid": sid, "SmsSid": sid, "MessageStatus": status,
                    "SmsStatus": status, "AccountSid": self.account_sid, "From": sms.from_,
                    "To": sms.to, "ApiVersion": API_VERSION,
                }
            if callback:
                try:
                    self._post_signed(callback, params)
                except requests.RequestException:
                    return  # the app is gone (sandbox shutting down); Twilio would retry

    # -- the REST API ----------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        prefix = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages"
        path = request.path
        if path.startswith(prefix) and "/Media/" in path:
            return self._media(path.rsplit("/", 1)[-1])
        if not self._authorized(request):
            return json_response({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        if path == prefix + ".json" and request.method == "POST":
            return self._create(request.form)
        if path == prefix + ".json" and request.method == "GET":
            return self._list(request.args)
        if path.startswith(prefix + "/") and path.endswith(".json"):
            sid = path[len(prefix) + 1:-len(".json")]
            with self._lock:
                sms = self.messages.get(sid)
                if sms is not None:
                    return json_response(sms.resource(self.account_sid))
        return json_response({"code": 20404, "message": "Not found", "status": 404}, 404)

    def _authorized(self, request: Request) -> bool:
        auth = request.authorization
        return bool(auth and auth.username == self.account_sid
                    and auth.password == self.auth_token)

    def _create(self, form: Mapping[str, Any]) -> Response:
        to, from_ = str(form.get("To") or ""), str(form.get("From") or "")
        body = str(form.get("Body") or "")
        media = form.getlist("MediaUrl") if hasattr(form, "getlist") else []
        if not to or not (from_ or form.get("MessagingServiceSid")):
            return json_response(
                {"code": 21604, "message": "A 'To' and a 'From' are required", "status": 400},
                400,
            )
        if not body and not media:
            return json_response(
                {"code": 21602, "message": "Message body is required", "status": 400}, 400
            )
        with self._lock:
            # With a Messaging Service and no From, Twilio picks a number of the service's
            # pool; the sandbox has one pool: its numbers.
            sms = Sms(
                sid=_sid("SM"), from_=from_ or next(iter(self.sms_urls), ""), to=to, body=body,
                direction="outbound-api", status="queued", created=datetime.now(UTC),
                media=list(media), status_callback=form.get("StatusCallback"),
                messaging_service_sid=form.get("MessagingServiceSid"),
            )
            self.messages[sms.sid] = sms
            rendered = sms.resource(self.account_sid)
        threading.Thread(target=self._carry, args=(sms.sid,), daemon=True).start()
        return json_response(rendered, 201)

    def _list(self, args: Mapping[str, str]) -> Response:
        """Newest first, filtered by To/From; one page (the sandbox never holds many)."""
        with self._lock:
            found = [
                m.resource(self.account_sid)
                for m in sorted(self.messages.values(), key=lambda m: m.created, reverse=True)
                if (not args.get("To") or m.to == args["To"])
                and (not args.get("From") or m.from_ == args["From"])
            ]
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        return json_response({
            "messages": found, "page": 0, "page_size": len(found) or 50, "start": 0,
            "end": max(len(found) - 1, 0), "uri": uri, "first_page_uri": uri,
            "next_page_uri": None, "previous_page_uri": None,
        })

    def _media(self, media_sid: str) -> Response:
        with self._lock:
            item = self.media.get(media_sid)
        if item is None:
            return json_response({"code": 20404, "message": "Not found", "status": 404}, 404)
        return Response(item[1], mimetype=item[0])
