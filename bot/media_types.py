"""What Twilio accepts in an outbound MMS, and the limits checked before it is called.

From Twilio's "Accepted content types for media" list: JPEG, PNG and GIF are fully supported
(Twilio resizes them for the handset) and may total 5 MB; the other accepted types are passed
through as they are and must stay under 500 KB each, or carriers drop them.
"""

from __future__ import annotations

import mimetypes

MAX_FILES = 10
IMAGE_TOTAL_BYTES = 5 * 1024 * 1024
OTHER_FILE_BYTES = 500 * 1024

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
OTHER_TYPES = frozenset({
    "audio/basic", "audio/L24", "audio/mp4", "audio/mpeg", "audio/ogg", "audio/vnd.rn-realaudio",
    "audio/vnd.wave", "audio/3gpp", "audio/3gpp2", "audio/ac3", "audio/webm", "audio/amr-nb",
    "audio/amr",
    "video/mpeg", "video/mp4", "video/quicktime", "video/webm", "video/3gpp", "video/3gpp2",
    "video/3gpp-tt", "video/H261", "video/H263", "video/H263-1998", "video/H263-2000",
    "video/H264",
    "image/bmp", "image/tiff",
    "text/vcard", "text/x-vcard", "text/csv", "text/rtf", "text/richtext", "text/calendar",
    "text/directory",
    "application/pdf", "application/vcard", "application/vnd.apple.pkpass",
})
ACCEPTED_TYPES = IMAGE_TYPES | OTHER_TYPES
_BY_LOWER = {t.lower(): t for t in ACCEPTED_TYPES}


def normalize(content_type: str) -> str:
    """`image/JPEG; charset=…` → `image/jpeg`; unknown types come back lower-cased."""
    bare = content_type.split(";", 1)[0].strip().lower()
    return _BY_LOWER.get(bare, bare)


def accepted_list() -> str:
    """The accepted types as one line for a refusal message."""
    return ", ".join(sorted(ACCEPTED_TYPES, key=str.lower))


def kind_word(content_type: str) -> str:
    """`photo`, `video`, `audio` or `file`: for file names and notes people read."""
    major = normalize(content_type).split("/", 1)[0]
    return {"image": "photo", "video": "video", "audio": "audio"}.get(major, "file")


def filename_for(content_type: str, position: int) -> str:
    """`photo-1.jpg`, `video-2.mp4`, `file-3.pdf`: numbered from 1 in the message's order."""
    bare = normalize(content_type)
    extension = {"image/jpeg": ".jpg", "text/vcard": ".vcf", "text/x-vcard": ".vcf"}.get(
        bare
    ) or mimetypes.guess_extension(bare) or ".bin"
    return f"{kind_word(bare)}-{position + 1}{extension}"
