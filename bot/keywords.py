"""Carrier keywords (CTIA): opt-out, opt-in and help words in a customer's text.

Only the whole body counts, trimmed and case-insensitive, exactly as Twilio matches them:
"STOP" is an opt-out, "stop please" and "STOP!" are ordinary texts. Twilio's own verdict,
the `OptOutType` webhook parameter (Advanced Opt-Out), wins when present.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class KeywordKind(enum.StrEnum):
    OPT_OUT = "STOP"
    OPT_IN = "START"
    HELP = "HELP"


OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

_WORD_KINDS = {
    **dict.fromkeys(OPT_OUT_WORDS, KeywordKind.OPT_OUT),
    **dict.fromkeys(OPT_IN_WORDS, KeywordKind.OPT_IN),
    **dict.fromkeys(HELP_WORDS, KeywordKind.HELP),
}


@dataclass(frozen=True)
class Keyword:
    kind: KeywordKind
    word: str  # what the customer sent, upper-cased ("QUIT"), or Twilio's OptOutType


def classify(body: str, *, opt_out_type: str | None = None) -> Keyword | None:
    """The keyword `body` is, if any. A recognised `opt_out_type` from Twilio decides."""
    word = body.strip().upper()
    told = (opt_out_type or "").strip().upper()
    if told in KeywordKind.__members__.values():
        kind = KeywordKind(told)
        return Keyword(kind, word if _WORD_KINDS.get(word) == kind else kind.value)
    found = _WORD_KINDS.get(word)
    return None if found is None else Keyword(found, word)
