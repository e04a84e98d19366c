"""GET/HEAD /media/<token>: unknown, tampered and expired tokens all get the same 404, and
expired files leave the disk."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import select

from storage.models import MediaState, MessageMedia
from tests.fakes import FakeSlack, FakeTwilio
from tests.handlers.test_slack_file_replies import send_files
from tests.harness import AGENT, AppUnderTest, open_conversation
from tests.media_samples import sample

TTL_SECONDS = 3


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "SMSBRIDGE_MEDIA_TTL_HOURS": str(TTL_SECONDS / 3600)}


def _sent_media_url(app: AppUnderTest, slack: FakeSlack, twilio: FakeTwilio) -> str:
    thread = open_conversation(app, slack, twilio)
    image = sample(4)
    send_files(app, slack, thread,
               [slack.add_file("F0PIC", "pic.jpg", "image/jpeg", image, user=AGENT)])
    url: str = twilio.wait_for(lambda: twilio.created, timeout=15)[0]["media_urls"][0]
    assert requests.get(url, timeout=5).content == image
    return url


def _answer(response: requests.Response) -> tuple[int, bytes, str | None, str | None]:
    return (response.status_code, response.content, response.headers.get("Content-Type"),
            response.headers.get("Cache-Control"))


def test_unknown_tampered_and_expired_tokens_get_the_same_404(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = _sent_media_url(app, fake_slack, fake_twilio)
    base, token = url.rsplit("/", 1)
    media_id, expiry, signature = token.split("-", 2)
    flipped = ("A" if signature[-1] != "A" else "B")
    probes = [
        "nonsense",
        f"{media_id}-{expiry}-{signature[:-1]}{flipped}",  # signature tampered
        f"{int(media_id) + 1}-{expiry}-{signature}",  # another media row
        f"{media_id}-{int(expiry) + 3600}-{signature}",  # expiry pushed out
        f"{media_id}-{expiry}",
    ]
    answers = {_answer(requests.get(f"{base}/{p}", timeout=5)) for p in probes}
    assert answers == {(404, b"Not Found", "text/plain; charset=utf-8", "no-store")}
    assert requests.head(f"{base}/{probes[1]}", timeout=5).status_code == 404
    time.sleep(TTL_SECONDS + 0.5)
    assert _answer(requests.get(url, timeout=5)) == answers.pop()
    assert requests.head(url, timeout=5).status_code == 404


def test_expired_media_files_are_removed_from_disk(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    _sent_media_url(app, fake_slack, fake_twilio)
    media_dir = app.settings.media_dir
    with app.core.session_factory() as session:
        row = session.scalars(select(MessageMedia)).one()
        stored = media_dir / str(row.local_path)
    assert stored.is_file() and stored.read_bytes() == sample(4)

    def removed() -> bool:
        with app.core.session_factory() as session:
            state = session.scalars(select(MessageMedia.state)).one()
        return state == MediaState.REMOVED and not stored.exists()

    fake_slack.wait_for(removed, timeout=TTL_SECONDS + 5)  # the worker's sweeper did it
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []
