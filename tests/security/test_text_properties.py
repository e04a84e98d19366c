"""Properties of the Slack escaper (bot/text.py) and the SMS segment counter
(bot/segments.py), against oracles written differently from the code under test."""

from __future__ import annotations

from collections import Counter

from hypothesis import example, given
from hypothesis import strategies as st

from bot.blocks.conversation import build_inbound_text
from bot.segments import GSM7_BASIC, GSM7_EXTENSION, count_segments
from bot.text import escape_mrkdwn, slack_to_plain
from tests.fakes.twilio import _GSM7, _GSM7_EXT
from tests.fakes.twilio import segments as fake_twilio_segments
from tests.security.hostile import CONTROL, HOSTILE_BODIES, slack_unescape
from tests.security.props import examples, record

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000)
MRKDWN_TEXT = st.lists(st.one_of(
    st.sampled_from([*list("<>&|!@#*_~`^;"), "&lt;", "&gt;", "&amp;", "<!channel>", "<@U1>"]),
    st.characters(blacklist_categories=("Cs",)),
), max_size=200).map("".join)
GSM_TEXT = st.text(st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION)), max_size=700)
UCS_TEXT = st.lists(st.one_of(
    st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION)),
    st.sampled_from(["ж", "€", "😀", "👍🏽", "\u200b", "\u202e", "中", "🇺🇸"]),
    st.characters(blacklist_categories=("Cs",)),
), max_size=300).map("".join)


CHECKED: Counter[str] = Counter()


@examples(300, 5000)
@given(st.one_of(MRKDWN_TEXT, ANY_TEXT))
@example("&lt;!channel&gt;")
@example("&amp;lt;")
def test_escaped_text_has_no_control_sequence_and_reads_back_exactly(text: str) -> None:
    CHECKED["escaper"] += 1
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert CONTROL.search(escaped) is None
    assert slack_unescape(escaped) == text
    for index, char in enumerate(escaped):
        if char == "&":
            assert escaped.startswith(("&amp;", "&lt;", "&gt;"), index)
    shown = build_inbound_text(text)
    assert "<" not in shown and ">" not in shown


@examples(300, 5000)
@given(st.one_of(MRKDWN_TEXT, ANY_TEXT))
def test_slack_to_plain_never_raises_and_drops_every_control_sequence(text: str) -> None:
    plain = slack_to_plain(text, user_names={"U1": "ann"})
    assert isinstance(plain, str)
    assert "<!channel>" not in plain or "<!channel>" in text.replace("&lt;", "<")


def test_hostile_bodies_escape_to_plain_text() -> None:
    for body in HOSTILE_BODIES:
        assert slack_unescape(escape_mrkdwn(body)) == body
        assert CONTROL.search(escape_mrkdwn(body)) is None


def test_the_gsm_tables_match_the_fake_carriers() -> None:
    assert set(GSM7_BASIC) == set(_GSM7) and set(GSM7_EXTENSION) == set(_GSM7_EXT)


def _gsm_septets(text: str) -> list[int]:
    """Encode for real: an extension character is ESC (0x1B) then the character."""
    septets: list[int] = []
    for char in text:
        if char in GSM7_EXTENSION:
            septets.append(0x1B)
        septets.append(ord(char) & 0x7F)
    return septets


def _parts_by_splitting(units: list[int], *, single: int, part: int, glued: set[int]) -> int:
    """Split an encoded stream the way a sender does: a part may not end on a unit that
    glues to the next one (GSM ESC, a UTF-16 high surrogate)."""
    if len(units) <= single:
        return 1
    parts, start = 0, 0
    while start < len(units):
        end = min(start + part, len(units))
        if end < len(units) and units[end - 1] in glued:
            end -= 1
        parts, start = parts + 1, end
    return parts


def _oracle(text: str) -> tuple[str, int, int]:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        septets = _gsm_septets(text)
        return "GSM-7", len(septets), _parts_by_splitting(
            septets, single=160, part=153, glued={0x1B})
    raw = text.encode("utf-16-le")
    units = [int.from_bytes(raw[i:i + 2], "little") for i in range(0, len(raw), 2)]
    return "UCS-2", len(units), _parts_by_splitting(
        units, single=70, part=67, glued=set(range(0xD800, 0xDC00)))


@examples(400, 8000)
@given(st.one_of(GSM_TEXT, UCS_TEXT))
@example("a" * 160)
@example("a" * 161)
@example("a" * 306)
@example("a" * 307)
@example("a" * 152 + "€" + "a" * 10)  # the escape pair is not split across parts
@example("ж" * 70)
@example("ж" * 71)
@example("ж" * 66 + "😀" + "ж" * 10)  # the surrogate pair is not split across parts
@example("€" * 80)
@example("€" * 81)
def test_segment_count_matches_splitting_the_encoded_text(text: str) -> None:
    CHECKED["segments"] += 1
    counted = count_segments(text)
    encoding, units, parts = _oracle(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, parts)
    assert counted.characters == len(text)
    # a plain division is a lower bound, one more part per split pair at most
    assert fake_twilio_segments(text) <= counted.segments


def test_segment_boundaries() -> None:
    cases = {"a" * 160: 1, "a" * 161: 2, "a" * 306: 2, "a" * 307: 3, "€" * 80: 1,
             "€" * 81: 2, "ж" * 70: 1, "ж" * 71: 2, "ж" * 134: 2, "ж" * 135: 3,
             "😀" * 35: 1, "😀" * 36: 2, "": 1}
    assert {text: count_segments(text).segments for text in cases} == cases
    assert count_segments("😀").units == 2 and count_segments("€").units == 2


def test_zz_record_property_figures() -> None:
    """Runs after the properties above (file order): how many inputs each one checked."""
    record("properties", "escaper inputs checked (0 failures)", CHECKED["escaper"])
    record("properties", "segment counts checked against the oracle (0 mismatches)",
           CHECKED["segments"])
