"""MMS limits and file names: the boundaries are inclusive, everything past them refused."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import InvalidInput
from bot.media_types import IMAGE_TOTAL_BYTES, OTHER_FILE_BYTES, filename_for, normalize
from bot.services.outbound_media import check_files


def slack_file(name: str, mimetype: str, size: int) -> dict[str, Any]:
    return {"id": f"F{name}", "name": name, "mimetype": mimetype, "size": size,
            "url_private_download": f"https://files.slack.com/files-pri/T1-F1/download/{name}"}


@pytest.mark.parametrize(("content_type", "position", "expected"), [
    ("image/jpeg", 0, "photo-1.jpg"), ("image/png", 1, "photo-2.png"),
    ("image/gif", 2, "photo-3.gif"), ("video/mp4", 0, "video-1.mp4"),
    ("audio/mpeg", 3, "audio-4.mp3"), ("text/vcard", 0, "file-1.vcf"),
    ("application/pdf", 9, "file-10.pdf"), ("application/x-unknown", 0, "file-1.bin"),
    ("IMAGE/JPEG; charset=binary", 0, "photo-1.jpg"),
])
def test_filenames_follow_the_content_type(content_type: str, position: int,
                                           expected: str) -> None:
    assert filename_for(content_type, position) == expected


def test_normalize_keeps_twilios_spelling() -> None:
    assert normalize("video/h264") == "video/H264"
    assert normalize(" Image/PNG ;x=y") == "image/png"


def test_limits_are_inclusive() -> None:
    files = [slack_file("a.jpg", "image/jpeg", IMAGE_TOTAL_BYTES - 100),
             slack_file("b.png", "image/png", 100),
             slack_file("c.pdf", "application/pdf", OTHER_FILE_BYTES)]
    files += [slack_file(f"{i}.gif", "image/gif", 0) for i in range(7)]
    checked = check_files(files)
    assert [f.name for f in checked][:3] == ["a.jpg", "b.png", "c.pdf"]
    assert checked[2].content_type == "application/pdf" and checked[2].size == OTHER_FILE_BYTES


@pytest.mark.parametrize(("files", "reason"), [
    ([slack_file(f"{i}.jpg", "image/jpeg", 1) for i in range(11)], "at most 10 files"),
    ([slack_file("a.jpg", "image/jpeg", IMAGE_TOTAL_BYTES), slack_file("b.gif", "image/gif", 1)],
     "the images add up to"),
    ([slack_file("c.pdf", "application/pdf", OTHER_FILE_BYTES + 1)], "must be under 500 KB"),
    ([slack_file("d.docx", "application/vnd.openxmlformats-officedocument."
                 "wordprocessingml.document", 10)], "which MMS can't carry"),
    ([{"id": "F1", "name": "e.jpg", "mimetype": "image/jpeg"}], "didn't share e.jpg"),
])
def test_refusals_say_what_to_change(files: list[dict[str, Any]], reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_files(files)
    assert reason in str(refused.value) and refused.value.field == "files"
