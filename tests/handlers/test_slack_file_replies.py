"""A thread reply with files becomes one MMS: limits checked before anything is queued, the
files downloaded from Slack with the bot token and served to Twilio at /media/<token>."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    AGENT,
    SUPPORT_CHANNEL,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
)
from tests.media_samples import PNG_HEADER, sample


def send_files(
    app: AppUnderTest, slack: FakeSlack, thread: str, files: list[dict[str, Any]], text: str = ""
) -> None:
    ts = slack.add_message(SUPPORT_CHANNEL, user=AGENT, text=text, thread_ts=thread)["ts"]
    event = message_event(
        team_id=slack.team_id, channel=SUPPORT_CHANNEL, user=AGENT, text=text, ts=ts,
        thread_ts=thread, subtype="file_share", files=files,
    )
    assert send_event(app.url, event).status_code == 200


def test_file_reply_goes_out_as_one_mms_served_with_head_and_get(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    png = sample(1, size=40_000, header=PNG_HEADER)
    pdf = b"%PDF-1.4\n" + sample(2, size=20_000)
    files = [
        fake_slack.add_file("F0PIC", "receipt.png", "image/png", png, user=AGENT),
        fake_slack.add_file("F0DOC", "terms.pdf", "application/pdf", pdf, user=AGENT),
    ]
    send_files(app, fake_slack, thread, files, text="here you go")
    created = fake_twilio.wait_for(lambda: fake_twilio.created, timeout=15)
    assert len(created) == 1
    mms = created[0]
    assert mms["params"]["Body"] == "here you go"
    urls = mms["media_urls"]
    assert len(urls) == 2 and all(u.startswith(f"{app.url}/media/") for u in urls)
    for url, (content_type, content) in zip(urls, [("image/png", png), ("application/pdf", pdf)],
                                            strict=True):
        head = requests.head(url, timeout=5)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Type"] == content_type
        assert head.headers["Content-Length"] == str(len(content))
        assert head.headers["Cache-Control"] == "no-store"
    fetched = fake_twilio.fetch_media(mms["sid"])
    assert [r.content for r in fetched] == [png, pdf]
    assert [r.headers["Content-Type"] for r in fetched] == ["image/png", "application/pdf"]
    assert [r.headers["Content-Length"] for r in fetched] == [str(len(png)), str(len(pdf))]
    assert all(r.headers["Cache-Control"] == "no-store" for r in fetched)
    downloads = [r for r in fake_slack.file_requests if r["status"] == 200]
    assert len(downloads) == 2
    assert all(r["authorization"] == f"Bearer {fake_slack.bot_token}" for r in downloads)


def test_files_without_text_send_an_mms_with_no_body(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    gif = sample(5, header=b"GIF89a")
    send_files(app, fake_slack, thread,
               [fake_slack.add_file("F0GIF", "wave.gif", "image/gif", gif, user=AGENT)])
    mms = fake_twilio.wait_for(lambda: fake_twilio.created, timeout=15)[0]
    assert "Body" not in mms["params"]
    assert [r.content for r in fake_twilio.fetch_media(mms["sid"])] == [gif]


def _refusal_cases(slack: FakeSlack) -> dict[str, tuple[list[dict[str, Any]], str]]:
    def image(i: int, size: int) -> dict[str, Any]:
        return slack.add_file(f"F0IMG{i}", f"pic{i}.jpg", "image/jpeg", sample(i, size=size))

    return {
        "eleven-files": (
            [image(i, 100) for i in range(11)], "at most 10 files and this reply has 11"
        ),
        "images-over-5mb": (
            [image(1, 3 * 1024 * 1024), image(2, 3 * 1024 * 1024)],
            "the images add up to 6.0 MB; an MMS holds at most 5.0 MB",
        ),
        "pdf-over-500kb": (
            [slack.add_file("F0BIG", "big.pdf", "application/pdf", sample(9, size=600 * 1024))],
            "big.pdf is 600 KB; MMS files other than JPEG, PNG and GIF images must be under "
            "500 KB each",
        ),
        "wrong-type": (
            [slack.add_file("F0ZIP", "logs.zip", "application/zip", b"PK\x03\x04")],
            "logs.zip is application/zip, which MMS can't carry. Accepted types: ",
        ),
    }


@pytest.mark.parametrize("case", ["eleven-files", "images-over-5mb", "pdf-over-500kb",
                                  "wrong-type"])
def test_files_over_the_limits_are_refused_before_twilio(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio, case: str
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio)
    files, expected = _refusal_cases(fake_slack)[case]
    send_files(app, fake_slack, thread, files, text="see attached")
    notice = fake_slack.wait_for(lambda: fake_slack.ephemerals, timeout=10)
    assert notice[0]["user"] == AGENT and notice[0]["thread_ts"] == thread
    assert notice[0]["text"].startswith("Not sent: ") and expected in notice[0]["text"]
    if case == "wrong-type":
        assert "image/jpeg" in notice[0]["text"] and "application/pdf" in notice[0]["text"]
    time.sleep(0.5)
    assert fake_twilio.created == []
    assert fake_slack.file_requests == []  # nothing downloaded either
