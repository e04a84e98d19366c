"""Take docs/sandbox.png: a sandbox with a conversation in it, driven through the page in a
headless chromium (Playwright, a dev dependency), as a person would.

    .venv/bin/python -m bot.sandbox.screenshot [docs/sandbox.png]
"""

from __future__ import annotations

import struct
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

from bot.sandbox.runtime import Sandbox

CHROMIUM = "/usr/bin/chromium"


def launch_options() -> dict[str, Any]:
    """Debian's chromium, headless; --no-sandbox because CI runs as root."""
    return {"executable_path": CHROMIUM, "headless": True, "args": ["--no-sandbox"]}


def sample_png(width: int = 160, height: int = 100) -> bytes:
    """A small picture (a sunset-ish gradient) for the customer to attach."""
    rows = b"".join(
        b"\x00" + b"".join(
            bytes((255, 120 + y, 60 + x // 2)) for x in range(width)
        ) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main(argv: list[str]) -> int:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        print("error: Playwright is a dev dependency: pip install -e '.[dev]'", file=sys.stderr)
        return 2

    target = Path(argv[0] if argv else "docs/sandbox.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        sandbox = Sandbox(data_dir=Path(scratch) / "data", port=0).start()
        picture = Path(scratch) / "cake.png"
        picture.write_bytes(sample_png())
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options())
                page = browser.new_page(viewport={"width": 1440, "height": 820})
                page.goto(f"http://127.0.0.1:{sandbox.port}/")
                page.get_by_test_id("sms-text").fill("Hi! Is my birthday cake ready for pickup?")
                page.get_by_test_id("picture").set_input_files(str(picture))
                page.get_by_test_id("sms-send").click()
                page.get_by_test_id("replies").first.click()
                expect(page.get_by_test_id("thread")).to_contain_text("birthday cake")
                page.get_by_test_id("member").select_option("U0ANN")
                page.get_by_test_id("thread-text").fill(
                    "Hi Carla! Yes, it's boxed and waiting. We're open until 6pm.")
                page.get_by_test_id("thread-send").click()
                expect(page.get_by_test_id("sms-in")).to_contain_text("open until 6pm")
                page.get_by_test_id("sms-text").fill("Perfect, see you at 5 🎂")
                page.get_by_test_id("sms-send").click()
                expect(page.get_by_test_id("thread")).to_contain_text("see you at 5")
                expect(page.get_by_test_id("reaction-white_check_mark")).to_have_count(1)
                page.get_by_test_id("customer").select_option("+14155553344")
                page.get_by_test_id("sms-text").fill("Do you deliver on Sundays?")
                page.get_by_test_id("sms-send").click()
                expect(page.get_by_test_id("replies")).to_have_count(2)
                page.get_by_test_id("customer").select_option("+14155552671")
                expect(page.get_by_test_id("sms-in")).to_have_count(1)
                page.screenshot(path=str(target))
                browser.close()
        finally:
            sandbox.stop()
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
