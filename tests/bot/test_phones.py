import pytest

from bot.errors import InvalidInput
from bot.phones import format_phone, mask_phone, parse_phone


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("+1 415 555 2671", "+14155552671"),
        ("(415) 555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_numbers_are_stored_as_e164(text: str, e164: str) -> None:
    assert parse_phone(text).e164 == e164


def test_possible_but_not_valid_numbers_are_accepted_with_a_warning() -> None:
    parsed = parse_phone("+1 555 010 0000")  # 555-01XX is a fictional range
    assert parsed.e164 == "+15550100000"
    assert not parsed.valid and parsed.warning and "possible" in parsed.warning


@pytest.mark.parametrize("text", ["", "hello", "+1 23", "12345678901234567890"])
def test_anything_else_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_phone(text, field="To")
    assert caught.value.field == "To"
    assert str(caught.value)


def test_display_and_log_forms() -> None:
    assert format_phone("+14155552671") == "+1 415-555-2671"
    assert mask_phone("+14155552671") == "…2671"
