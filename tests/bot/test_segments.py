"""Segment counts against known strings: GSM-7 (extension table counts double, 160/153)
and UCS-2 (UTF-16 units, 70/67); a part never splits an escape or surrogate pair."""

import pytest

from bot.segments import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("Hello", "GSM-7", 5, 1),
        ("a" * 160, "GSM-7", 160, 1),  # the single-segment edge
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),  # 2 x 153
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters count double: 160 septets
        ("€" * 81, "GSM-7", 162, 2),
        ("[" + "a" * 159, "GSM-7", 161, 2),  # `[` is an extension character
        ("[" * 80, "GSM-7", 160, 1),
        ("{}\\~^|]€", "GSM-7", 16, 1),
        ("a" * 152 + "€" + "a" * 153, "GSM-7", 307, 3),  # € can't straddle parts 1 and 2
        ("a" * 151 + "€" + "a" * 153, "GSM-7", 306, 2),
        ("é" * 160, "GSM-7", 160, 1),  # é, è, ù, ì, ò, à, ä, ö, ñ, ü are GSM-7 basic
        ("Ñandú está aquí", "UCS-2", 15, 1),  # á, í are not
        ("café crème", "GSM-7", 10, 1),
        ("á" * 70, "UCS-2", 70, 1),  # the single-segment edge
        ("á" * 71, "UCS-2", 71, 2),
        ("á" * 134, "UCS-2", 134, 2),  # 2 x 67
        ("á" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
        ("😀" * 36, "UCS-2", 72, 2),
        ("a" * 66 + "😀" + "a" * 66, "UCS-2", 134, 3),  # the emoji can't be split at 67
        ("a" * 65 + "😀" + "a" * 67, "UCS-2", 134, 2),
        ("a" * 69 + "ç", "UCS-2", 70, 1),  # lower-case ç is not in the basic table
        ("Price: 10€", "GSM-7", 11, 1),
        ("Приве́т", "UCS-2", 7, 1),
    ],
)
def test_segment_counts(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)
    assert count.characters == len(text)
