"""Phone numbers: parsed with `phonenumbers`, stored as E.164, any *possible* number accepted."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from bot.errors import InvalidInput

DEFAULT_REGION = "US"


@dataclass(frozen=True)
class ParsedPhone:
    e164: str
    valid: bool

    @property
    def warning(self) -> str | None:
        if self.valid:
            return None
        return f"{self.e164} is a possible number but not one known to be in service"


def parse_phone(text: str, *, region: str = DEFAULT_REGION, field: str = "phone") -> ParsedPhone:
    """Parse `text` into E.164, refusing anything that cannot be a phone number."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput("A phone number is required.", field=field)
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"“{cleaned}” is not a phone number ({exc._msg}).", field=field) from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(
            f"“{cleaned}” is not a possible phone number; write it as +15551234567.", field=field
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ParsedPhone(e164=e164, valid=phonenumbers.is_valid_number(number))


def format_phone(e164: str) -> str:
    """Human format for display: national for US/CA numbers, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str) -> str:
    """For logs: never a full phone number (DESIGN §5)."""
    return f"…{e164[-4:]}" if len(e164) > 4 else "…"
