"""Fuzzing the parsers that take untrusted input: only the project's documented errors
(bot/errors.py, and the HTTP 403/401 a forged request gets) may come out, never anything else.

Targets: the Twilio webhook form parser, the Twilio and Slack signature checks (over arbitrary
URLs, headers and bodies), the escaper and Slack-to-SMS text conversion, the segment counter
(lone surrogates included) and the contacts CSV import (reader, row checks, database)."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import Forbidden

from bot.contacts_csv import read_rows
from bot.errors import InvalidInput, SmsBridgeError
from bot.segments import count_segments
from bot.services.contacts import ContactService
from bot.services.inbound import InboundText
from bot.text import escape_mrkdwn, slack_to_plain
from handlers.slack.signature import SlackSignature
from handlers.twilio.signature import require_valid_signature
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.harness import SIGNING_SECRET
from tests.security.props import examples, record

FUZZED: Counter[str] = Counter()
# Everything a str can hold, lone surrogates included (JSON can carry them: "\ud800").
ANY = st.text(st.characters(), max_size=60)
HEADER = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
FORM_KEYS = st.sampled_from([
    "MessageSid", "SmsMessageSid", "To", "From", "Body", "NumSegments", "NumMedia",
    "MediaUrl0", "MediaContentType0", "MediaUrl1", "OptOutType", "MessagingServiceSid",
])
PLAUSIBLE = st.one_of(
    ANY, st.sampled_from(["+14155552671", "+14155550100", "SM" + "a" * 32, "MM" + "b" * 32,
                          "0", "1", "10", "11", "-1", "9" * 30, "https://x/y", "http://"]),
)
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"


@examples(300, 20000)
@given(st.dictionaries(st.one_of(FORM_KEYS, ANY), PLAUSIBLE, max_size=12))
@example({"MessageSid": "SM" + "a" * 32, "To": "+14155550100", "From": "+14155552671",
          "NumMedia": "1", "MediaUrl0": "https://[::1"})
@example({"MessageSid": "SM" + "a" * 32, "To": "+14155550100", "From": "+14155552671",
          "NumSegments": "9" * 5000})
def test_webhook_form_parser_raises_only_invalid_input(form: dict[str, str]) -> None:
    FUZZED["form parser"] += 1
    try:
        parsed = InboundText.from_form(form)
    except InvalidInput:
        return
    assert parsed.to.startswith("+") and parsed.from_.startswith("+")


_web = Flask("fuzz")
_validator = RequestValidator(AUTH_TOKEN)


@examples(200, 10000)
@given(path=st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF,
                                  blacklist_characters="?#%"), max_size=30),
       query=st.binary(max_size=40), body=st.binary(max_size=200), signature=HEADER,
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "text/plain",
                                     "multipart/form-data; boundary=x", "application/json"]))
def test_twilio_signature_check_answers_403_or_passes(
    path: str, query: bytes, body: bytes, signature: str, content_type: str
) -> None:
    FUZZED["Twilio signature check"] += 1
    with _web.test_request_context(
        "/twilio/messages/" + path, method="POST", data=body,
        query_string=quote_from_bytes(query, safe="=&+"),
        headers={"X-Twilio-Signature": signature, "Content-Type": content_type},
    ) as context:
        try:
            require_valid_signature(context.request, validator=_validator,
                                    public_base_url="https://example.com/sms")
        except Forbidden:
            return
    pytest.fail("a random signature was accepted")


@examples(200, 10000)
@given(stamp=HEADER, signature=HEADER, body=st.binary(max_size=300),
       content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
@example(stamp="1" * 400, signature="v0=", body=b"", content_type="application/json")
@example(stamp="\u00b2", signature="v0=00", body=b"\xff", content_type="application/json")
def test_slack_signature_check_is_a_plain_yes_or_no(
    stamp: str, signature: str, body: bytes, content_type: str
) -> None:
    FUZZED["Slack signature check"] += 1
    checker = SlackSignature(SIGNING_SECRET)
    with _web.test_request_context("/slack/events", method="POST", data=body, headers={
            "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
            "Content-Type": content_type}) as context:
        assert checker.is_signed(context.request) is False


@examples(300, 20000)
@given(ANY)
@example("\ud800 lone surrogate")
@example("<\udfff|x>")
def test_text_functions_and_segment_counter_take_any_string(text: str) -> None:
    FUZZED["escaper, text conversion, segment counter"] += 1
    assert "<" not in escape_mrkdwn(text)
    slack_to_plain(text)
    counted = count_segments(text)
    assert counted.segments >= 1 and counted.characters == len(text)


CSV_CELL = st.one_of(ANY, st.sampled_from(["+14155552671", "415 555 2672", "x" * 300, "",
                                           '"', '""', "\r\n", "\x00", "=cmd|' /C calc'!A0"]))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    header = draw(st.sampled_from(["phone,name,company,notes", "Phone,Name", "name,notes",
                                   "\ufeffphone,name", "phone", ""]))
    rows = draw(st.lists(st.lists(CSV_CELL, max_size=5), max_size=8))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    lines = [header, *(separator.join(row) for row in rows)]
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    return "\n".join(lines).encode(encoding, "surrogatepass" if encoding != "latin-1"
                                   else "replace")


def test_contacts_csv_import_reports_bad_input_and_never_crashes(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    service = ContactService(session_factory=make_session_factory(engine))
    outcomes: Counter[str] = Counter()

    @examples(60, 3000)
    @given(csv_files())
    @example(b"phone,name\n+14155552671," + b"n" * 5000 + b"\n")
    @example(b"phone,name\n+14155552671,a\x00b\n")
    @example(b"phone,name\n\"+14155552671\n")
    def import_is_clean(content: bytes) -> None:
        FUZZED["contacts CSV import"] += 1
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "contacts.csv"
            path.write_bytes(content)
            try:
                rows = read_rows(path)
            except InvalidInput:
                outcomes["file refused"] += 1
                return
        try:
            summary = service.import_rows(team_id="T0FUZZ", rows=rows)
        except SmsBridgeError:
            outcomes["refused"] += 1
            return
        outcomes["imported"] += summary.created + summary.updated
        outcomes["bad lines"] += len(summary.bad_lines)

    try:
        import_is_clean()
    finally:
        engine.dispose()
    assert outcomes["file refused"] and (outcomes["imported"] or outcomes["bad lines"])


def test_zz_record_fuzzing_figures() -> None:
    """Runs last in this file: how many inputs each target took without an unexpected error."""
    for target, count in sorted(FUZZED.items()):
        record("fuzzing", f"{target}: inputs, 0 uncaught exceptions", count)
