"""Carrier keywords: the whole trimmed body, any case; Twilio's OptOutType wins."""

from __future__ import annotations

import pytest

from bot.keywords import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS, KeywordKind, classify


@pytest.mark.parametrize("word", sorted(OPT_OUT_WORDS))
def test_every_opt_out_word_in_any_case_and_padding(word: str) -> None:
    for body in (word, word.lower(), word.title(), f"  {word.lower()}\n"):
        found = classify(body)
        assert found is not None and (found.kind, found.word) == (KeywordKind.OPT_OUT, word)


@pytest.mark.parametrize("word", sorted(OPT_IN_WORDS))
def test_every_opt_in_word(word: str) -> None:
    found = classify(f" {word.lower()} ")
    assert found is not None and (found.kind, found.word) == (KeywordKind.OPT_IN, word)


@pytest.mark.parametrize("word", sorted(HELP_WORDS))
def test_every_help_word(word: str) -> None:
    found = classify(word.capitalize())
    assert found is not None and (found.kind, found.word) == (KeywordKind.HELP, word)


def test_the_documented_word_lists() -> None:
    assert {
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"
    } == OPT_OUT_WORDS
    assert {"START", "YES", "UNSTOP"} == OPT_IN_WORDS
    assert {"HELP", "INFO"} == HELP_WORDS


@pytest.mark.parametrize(
    "body",
    [
        "stop please", "please stop", "STOP!", "stop.", "S TOP", "STOPP", "st0p", "don't stop",
        "yes please", "YES!", "help me", "info?", "opt out", "", "   ", "Hello",
        "ＳＴＯＰ",  # full-width letters are not the keyword
    ],
)
def test_near_misses_are_ordinary_texts(body: str) -> None:
    assert classify(body) is None


def test_twilio_opt_out_type_wins_over_the_body() -> None:
    stop = classify("Arrêtez s'il vous plaît", opt_out_type="STOP")
    assert stop is not None and (stop.kind, stop.word) == (KeywordKind.OPT_OUT, "STOP")
    quit_ = classify("quit", opt_out_type="STOP")
    assert quit_ is not None and quit_.word == "QUIT"  # the customer's own word is kept
    start = classify("stop", opt_out_type="START")  # Twilio's verdict, even against the body
    assert start is not None and start.kind == KeywordKind.OPT_IN
    helped = classify("aide", opt_out_type="help")
    assert helped is not None and helped.kind == KeywordKind.HELP


def test_an_unknown_or_empty_opt_out_type_falls_back_to_the_body() -> None:
    assert classify("hello", opt_out_type="") is None
    assert classify("hello", opt_out_type="SOMETHING") is None
    found = classify("stop", opt_out_type="")
    assert found is not None and found.kind == KeywordKind.OPT_OUT
