"""SMS segment counting, exactly as carriers split messages.

GSM-7 when every character is in the GSM 03.38 basic table or its extension table
(extension characters take two septets: escape + character); UCS-2 otherwise. One segment
holds 160 septets / 70 UTF-16 units; a longer message is split into parts of 153 / 67
(the rest is the concatenation header). A part never splits an escape pair or a surrogate
pair, so a message can need one part more than a plain division says.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> SegmentCount:
    if is_gsm7(text):
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentCount("GSM-7", len(text), sum(sizes), _parts(sizes, GSM7_SINGLE, GSM7_PART))
    # surrogatepass: a lone surrogate (JSON can carry one) is one unit, not a crash
    sizes = [len(ch.encode("utf-16-le", "surrogatepass")) // 2 for ch in text]
    return SegmentCount("UCS-2", len(text), sum(sizes), _parts(sizes, UCS2_SINGLE, UCS2_PART))


def _parts(sizes: list[int], single: int, part: int) -> int:
    """How many parts the characters (of `sizes` units each, never split) need."""
    if sum(sizes) <= single:
        return 1
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts
