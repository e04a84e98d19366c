"""Media links: the same row always gets the same link; any change to it is invalid."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.media_urls import MediaUrls, derive_key

EXPIRES = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_links_are_stable_signed_and_bound_to_their_message_and_workspace() -> None:
    urls = MediaUrls(key=derive_key("secret"), public_base_url="https://x.example/sms/")
    url = urls.url(media_id=7, message_id=3, team_id="TA", expires_at=EXPIRES)
    assert url == urls.url(media_id=7, message_id=3, team_id="TA", expires_at=EXPIRES)
    assert url.startswith("https://x.example/sms/media/7-")
    link = urls.parse(url.rsplit("/", 1)[1])
    assert link is not None and link.media_id == 7
    assert urls.valid(link, message_id=3, team_id="TA", expires_at=EXPIRES)
    assert not urls.valid(link, message_id=4, team_id="TA", expires_at=EXPIRES)
    assert not urls.valid(link, message_id=3, team_id="TB", expires_at=EXPIRES)
    other_key = MediaUrls(key=derive_key("other"), public_base_url="https://x.example/sms")
    assert not other_key.valid(link, message_id=3, team_id="TA", expires_at=EXPIRES)
    assert len(link.signature) >= 43  # 256 bits: not guessable


def test_malformed_tokens_do_not_parse() -> None:
    for token in ("", "abc", "1-2", "x-2-sig", "1-y-sig"):
        assert MediaUrls.parse(token) is None
