"""Inbound MMS: every media file fetched from Twilio only, copied into the thread byte for
byte, once; anything refused or failed is named in a note in the thread."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, AppUnderTest, top_level
from tests.media_samples import PNG_HEADER, file_messages, sample, thread_files


def _thread(slack: FakeSlack) -> str:
    roots = slack.wait_for(lambda: top_level(slack, SUPPORT_CHANNEL))
    assert len(roots) == 1
    return str(roots[0]["ts"])


def _notes(slack: FakeSlack, thread: str, *, timeout: float) -> list[dict[str, Any]]:
    """Wait for the thread's note about media that could not be copied."""
    return list(slack.wait_for(
        lambda: [m for m in slack.thread(SUPPORT_CHANNEL, thread)
                 if "could not be copied" in m["text"]], timeout=timeout,
    ))


@pytest.mark.parametrize("count", [1, 2, 10])
def test_images_in_are_copied_into_the_thread_byte_for_byte(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio, count: int
) -> None:
    images = [("image/jpeg", sample(i)) for i in range(count)]
    response = fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="look <here>",
        media=images,
    )
    assert response.status_code == 200
    thread = _thread(fake_slack)
    posted = fake_slack.wait_for(lambda: file_messages(fake_slack, SUPPORT_CHANNEL, thread),
                                 timeout=20)
    time.sleep(0.5)  # a few sweeps later: still one message, nothing doubled
    assert len(fake_slack.thread(SUPPORT_CHANNEL, thread)) == 1, "the text was posted apart"
    assert posted[0]["text"] == "look &lt;here&gt;"  # the text is the comment, escaped
    assert thread_files(fake_slack, SUPPORT_CHANNEL, thread) == [
        (f"photo-{i + 1}.jpg", content) for i, (_, content) in enumerate(images)
    ]
    fetches = [r for r in fake_twilio.media_requests if r["method"] == "GET"]
    assert len(fetches) == count and all(r["auth_ok"] for r in fetches)


def test_media_without_text_and_mixed_types_get_sensible_names(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    media = [("image/png", sample(1, header=PNG_HEADER)), ("video/mp4", sample(2)),
             ("text/vcard", b"BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\n")]
    fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="", media=media
    )
    thread = _thread(fake_slack)
    posted = fake_slack.wait_for(lambda: file_messages(fake_slack, SUPPORT_CHANNEL, thread),
                                 timeout=20)
    assert posted[0]["text"] == ""  # no empty text post, no placeholder comment
    assert len(fake_slack.thread(SUPPORT_CHANNEL, thread)) == 1
    assert thread_files(fake_slack, SUPPORT_CHANNEL, thread) == [
        ("photo-1.png", media[0][1]), ("video-2.mp4", media[1][1]), ("file-3.vcf", media[2][1])
    ]
    inbound_dir = app.settings.media_dir / "in"
    fake_slack.wait_for(lambda: not [p for p in inbound_dir.rglob("*") if p.is_file()],
                        message="local copies of shared media are removed by the sweeper")


def test_a_media_url_off_twilio_is_refused_without_a_request_and_noted(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    with FakeTwilio() as foreign:
        foreign_url = foreign.media_url("MM" + "f" * 32, "ME" + "f" * 32)
        fake_twilio.send_inbound(
            f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="two pics",
            media=[("image/jpeg", sample(1)), ("image/jpeg", sample(2))],
            extra={"MediaUrl1": foreign_url},
        )
        thread = _thread(fake_slack)
        note = _notes(fake_slack, thread, timeout=20)
        assert foreign.requests == [] and foreign.media_requests == []
    assert note[0]["text"].startswith(":warning: 1 of 2 photos could not be copied")
    assert "photo-2.jpg" in note[0]["text"] and "not Twilio" in note[0]["text"]
    assert foreign_url not in note[0]["text"]
    refusals = [r.getMessage() for r in caplog.records if "foreign host" in r.getMessage()]
    assert refusals == ["refused MediaUrl on foreign host 127.0.0.1"]  # the host, not the URL
    assert not any(fake_twilio.account_sid in r.getMessage() for r in caplog.records)
    assert thread_files(fake_slack, SUPPORT_CHANNEL, thread) == [("photo-1.jpg", sample(1))]
    texts = [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, thread)]
    assert texts[0] == "two pics" and len(texts) == 2


def test_a_redirect_to_the_media_cdn_carries_no_credentials(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.media_redirect_to = fake_twilio.cdn_url
    content = sample(7, size=50_000)
    fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="",
        media=[("image/jpeg", content)],
    )
    thread = _thread(fake_slack)
    fake_slack.wait_for(lambda: file_messages(fake_slack, SUPPORT_CHANNEL, thread), timeout=20)
    assert thread_files(fake_slack, SUPPORT_CHANNEL, thread) == [("photo-1.jpg", content)]
    api_leg, cdn_leg = fake_twilio.media_requests
    assert api_leg["auth_ok"] is True
    assert cdn_leg["path"].startswith("/cdn/") and cdn_leg["authorization"] is None


def test_a_redirect_off_twilio_is_refused_and_noted(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    with FakeTwilio() as foreign:
        fake_twilio.media_redirect_to = foreign.url + "/elsewhere"
        fake_twilio.send_inbound(
            f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="hi",
            media=[("image/gif", sample(3))],
        )
        thread = _thread(fake_slack)
        note = _notes(fake_slack, thread, timeout=20)
        assert foreign.requests == [] and foreign.media_requests == []
    assert "1 of 1 photos" in note[0]["text"] and "127.0.0.1" in note[0]["text"]
    assert thread_files(fake_slack, SUPPORT_CHANNEL, thread) == []
    assert fake_slack.thread(SUPPORT_CHANNEL, thread)[0]["text"] == "hi"


def test_media_twilio_no_longer_has_is_noted_in_the_thread(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    sid = "MM" + "1" * 32
    fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="", message_sid=sid,
        media=[("image/jpeg", sample(1)), ("application/pdf", sample(2)),
               ("image/jpeg", sample(3))],
        extra={"MediaUrl1": fake_twilio.media_url(sid, "ME" + "0" * 32)},
    )
    thread = _thread(fake_slack)
    note = _notes(fake_slack, thread, timeout=20)
    assert note[0]["text"] == (
        ":warning: 1 of 3 files could not be copied from the customer's MMS: "
        "file-2.pdf: Twilio answered 404"
    )
    assert [name for name, _ in thread_files(fake_slack, SUPPORT_CHANNEL, thread)] == [
        "photo-1.jpg", "photo-3.jpg"
    ]


def test_num_media_out_of_range_is_refused(app: AppUnderTest, fake_twilio: FakeTwilio) -> None:
    response = fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="x",
        extra={"NumMedia": "11"},
    )
    assert response.status_code == 400 and "NumMedia" in response.text


def test_a_media_host_failing_for_a_while_is_retried(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.media_failures = 2
    fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="",
        media=[("image/jpeg", sample(1))],
    )
    thread = _thread(fake_slack)
    fake_slack.wait_for(lambda: file_messages(fake_slack, SUPPORT_CHANNEL, thread), timeout=20)
    assert thread_files(fake_slack, SUPPORT_CHANNEL, thread) == [("photo-1.jpg", sample(1))]
    assert len(fake_twilio.media_requests) == 3
    assert len(fake_slack.thread(SUPPORT_CHANNEL, thread)) == 1


def test_a_media_host_that_keeps_failing_ends_in_a_note(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.media_failures = 100
    fake_twilio.send_inbound(
        f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER, body="pic",
        media=[("image/jpeg", sample(1))],
    )
    thread = _thread(fake_slack)
    note = _notes(fake_slack, thread, timeout=30)
    assert note[0]["text"].endswith("1 of 1 photos could not be copied from the customer's MMS: "
                                    "photo-1.jpg: media host answered 503")
    assert len(fake_twilio.media_requests) == 4  # MAX_TRIES, then the note
    assert fake_slack.thread(SUPPORT_CHANNEL, thread)[0]["text"] == "pic"
