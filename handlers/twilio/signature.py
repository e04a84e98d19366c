"""Twilio signatures, checked over the full URL Twilio called (PUBLIC_BASE_URL's origin,
the path, the query string) and the form as sent."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Request, abort
from twilio.request_validator import RequestValidator


def public_url(request: Request, public_base_url: str) -> str:
    base = urlsplit(public_base_url)
    query = request.query_string.decode("latin-1")
    return f"{base.scheme}://{base.netloc}{request.path}" + (f"?{query}" if query else "")


def require_valid_signature(
    request: Request, *, validator: RequestValidator, public_base_url: str
) -> None:
    """Abort with 403 unless the request carries Twilio's valid signature."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not validator.validate(
        public_url(request, public_base_url), request.form, signature
    ):
        abort(403, description="Twilio signature invalid")
