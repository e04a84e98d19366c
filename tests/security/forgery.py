"""Forged requests for the forgery properties: a genuine signed request to one public route,
then one mutation that a forger could make (path, query, params, signature bits, secret,
timestamp, headers). Each builder returns what to send; the tests send it and check the app
refused it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.harness import AGENT, CUSTOMER, SIGNING_SECRET, SUPPORT_CHANNEL, SUPPORT_NUMBER

# Text a form can carry: any character but lone surrogates (not encodable at all).
FORM_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
KEYS = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_",
               min_size=1, max_size=12)

TWILIO_MUTATIONS = (
    "flip_bit", "wrong_token", "no_header", "empty_header", "add_param", "remove_param",
    "change_param", "other_route", "add_query", "drop_query", "other_host", "https",
)
SLACK_MUTATIONS = (
    "stale", "future", "flip_bit", "wrong_secret", "no_signature", "no_timestamp",
    "garbage_timestamp", "tamper_body", "v1_prefix", "garbage_body",
)


@dataclass
class Forged:
    mutation: str
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def flip_bit(raw: bytes, bit: int) -> bytes:
    index = bit % (len(raw) * 8)
    flipped = bytearray(raw)
    flipped[index // 8] ^= 1 << (index % 8)
    return bytes(flipped)


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's scheme (HMAC-SHA1 over the URL and the sorted key+value pairs), written out
    here so a wrong-token signature needs no second validator."""
    text = url + "".join(key + params[key] for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()).decode()


def inbound_params(account_sid: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": account_sid, "From": CUSTOMER,
            "To": SUPPORT_NUMBER, "Body": "forged hello", "NumMedia": "0", "ApiVersion":
            "2010-04-01"}


def status_params(account_sid: str) -> dict[str, str]:
    return {"MessageSid": "SM" + uuid.uuid4().hex, "MessageStatus": "delivered",
            "AccountSid": account_sid, "From": SUPPORT_NUMBER, "To": CUSTOMER}


def forge_twilio(
    draw: st.DrawFn, *, base_url: str, auth_token: str, account_sid: str
) -> Forged:
    """A signed Twilio webhook to /twilio/messages or /twilio/status, then one mutation."""
    route = draw(st.sampled_from(["/twilio/messages", "/twilio/status?m=1"]))
    params = (inbound_params if "messages" in route else status_params)(account_sid)
    mutation = draw(st.sampled_from(TWILIO_MUTATIONS))
    sign_url = post_url = base_url + route
    sent = dict(params)
    token = auth_token
    if mutation == "add_param":
        key = draw(KEYS.filter(lambda k: k not in params))
        sent[key] = draw(FORM_TEXT)
    elif mutation == "remove_param":
        sent.pop(draw(st.sampled_from(sorted(params))))
    elif mutation == "change_param":
        key = draw(st.sampled_from(sorted(params)))
        sent[key] = draw(FORM_TEXT.filter(lambda v: v != params[key]))
    elif mutation == "other_route":
        other = "/twilio/status?m=1" if "messages" in route else "/twilio/messages"
        sign_url = base_url + other
    elif mutation == "add_query":
        post_url += ("&" if "?" in route else "?") + urlencode({draw(KEYS): draw(FORM_TEXT)})
    elif mutation == "drop_query":
        sign_url, post_url = base_url + "/twilio/status?m=1", base_url + "/twilio/status"
    elif mutation == "other_host":
        sign_url = sign_url.replace("127.0.0.1", draw(st.sampled_from(
            ["evil.example", "localhost", "127.0.0.2", "[::1]"])))
    elif mutation == "https":
        sign_url = sign_url.replace("http://", "https://")
    elif mutation == "wrong_token":
        token = draw(st.text("0123456789abcdef", min_size=32, max_size=32).filter(
            lambda t: t != auth_token))
    signature = twilio_signature(token, sign_url, params)
    if mutation == "flip_bit":
        raw = base64.b64decode(signature)
        signature = base64.b64encode(flip_bit(raw, draw(st.integers(0, 159)))).decode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if mutation == "empty_header":
        headers["X-Twilio-Signature"] = ""
    elif mutation != "no_header":
        headers["X-Twilio-Signature"] = signature
    return Forged(mutation, post_url, urlencode(sent).encode(), headers)


def slack_bodies(team_id: str) -> dict[str, tuple[str, str]]:
    """One genuine body per kind of Slack request: (content type, body)."""
    now = int(time.time())
    envelope = {
        "token": "legacy", "team_id": team_id, "api_app_id": "A0001", "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": now,
        "event": {"type": "message", "channel": SUPPORT_CHANNEL, "user": AGENT,
                  "text": "forged reply", "ts": f"{now}.000100", "thread_ts": f"{now}.000001",
                  "channel_type": "channel"},
    }
    command = urlencode({
        "token": "legacy", "team_id": team_id, "channel_id": SUPPORT_CHANNEL, "user_id": AGENT,
        "command": "/sms", "text": f"{CUSTOMER} forged", "api_app_id": "A0001",
        "response_url": "https://hooks.slack.invalid/x", "trigger_id": "1.2.abc",
    })
    payload = urlencode({"payload": json.dumps({
        "type": "shortcut", "callback_id": "new_message", "team": {"id": team_id},
        "user": {"id": AGENT, "team_id": team_id}, "api_app_id": "A0001", "token": "legacy",
        "trigger_id": "1.2.abc"})})
    form = "application/x-www-form-urlencoded"
    return {"event": ("application/json", json.dumps(envelope)), "command": (form, command),
            "interactivity": (form, payload)}


def slack_signature(secret: str, stamp: str, body: bytes) -> str:
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def forge_slack(draw: st.DrawFn, *, url: str, team_id: str) -> Forged:
    """A Slack request (event, slash command, interactivity) signed, then one mutation."""
    kind = draw(st.sampled_from(["event", "command", "interactivity"]))
    content_type, text = slack_bodies(team_id)[kind]
    body = text.encode()
    mutation = draw(st.sampled_from(SLACK_MUTATIONS))
    now = int(time.time())
    stamp, secret, sent = str(now), SIGNING_SECRET, body
    if mutation == "stale":
        stamp = str(now - 301 - draw(st.integers(0, 10**6)))
    elif mutation == "future":
        stamp = str(now + 301 + draw(st.integers(0, 10**6)))
    elif mutation == "wrong_secret":
        secret = draw(st.text("0123456789abcdef", min_size=32, max_size=32).filter(
            lambda s: s != SIGNING_SECRET))
    elif mutation == "tamper_body":
        at = draw(st.integers(0, len(body) - 1))
        sent = body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at + 1:]
        if sent == body:
            sent = body + b" "
    elif mutation == "garbage_body":
        sent = draw(st.binary(max_size=200))
        secret = "not-the-secret"
    signature = slack_signature(secret, stamp, body if mutation == "tamper_body" else sent)
    if mutation == "flip_bit":
        digest = bytes.fromhex(signature[3:])
        signature = "v0=" + flip_bit(digest, draw(st.integers(0, 255))).hex()
    elif mutation == "v1_prefix":
        signature = "v1=" + signature[3:]
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": signature}
    if mutation == "no_signature":
        del headers["X-Slack-Signature"]
    elif mutation == "no_timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif mutation == "garbage_timestamp":
        headers["X-Slack-Request-Timestamp"] = draw(st.sampled_from(
            ["", "abc", "1e9", "-", "99999999999999999999999", "\u00b2\u00b3"]))
    return Forged(f"{kind}:{mutation}", url, sent, headers)
