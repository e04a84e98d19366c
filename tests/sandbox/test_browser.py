"""The sandbox page in a real headless browser (Playwright driving Debian's chromium): a
customer texts in, the thread shows on the Slack side, a member replies, the phone gets it;
/sms and Escalate through the page's modal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.sandbox.runtime import Sandbox
from bot.sandbox.screenshot import CHROMIUM, launch_options, sample_png

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it)",
)
expect.set_options(timeout=20_000)  # the machine is loaded; every wait polls, none sleeps


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**launch_options())
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Browser, sandbox: Sandbox) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 820})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"http://127.0.0.1:{sandbox.port}/")
    yield page
    page.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def test_text_in_see_the_thread_reply_see_it_on_the_phone(tab: Page, tmp_path: Path) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(sample_png())
    tab.get_by_test_id("customer").select_option("+14155552671")
    tab.get_by_test_id("business").select_option("+14155550100")
    tab.get_by_test_id("sms-text").fill("Is my order ready?")
    tab.get_by_test_id("picture").set_input_files(str(picture))
    tab.get_by_test_id("sms-send").click()
    expect(tab.get_by_test_id("sms-out")).to_contain_text("Is my order ready?")

    messages = tab.get_by_test_id("messages")
    expect(messages).to_contain_text("Carla Customer")
    tab.get_by_test_id("replies").first.click()
    thread = tab.get_by_test_id("thread")
    expect(thread).to_contain_text("Is my order ready?")
    expect(thread.locator("img.file")).to_have_count(1)

    tab.get_by_test_id("member").select_option("U0ANN")
    tab.get_by_test_id("thread-text").fill("Yes, it is ready for pickup.")
    tab.get_by_test_id("thread-send").click()
    expect(thread).to_contain_text("Ann Agent")
    expect(tab.get_by_test_id("sms-in")).to_contain_text("Yes, it is ready for pickup.")
    expect(thread.get_by_test_id("reaction-white_check_mark")).to_have_count(1)


def test_sms_window_texts_a_contact(tab: Page) -> None:
    tab.get_by_test_id("member").select_option("U0ANN")
    tab.get_by_test_id("channel-text").fill("/sms")
    tab.get_by_test_id("channel-text").press("Enter")
    modal = tab.get_by_test_id("modal")
    expect(modal).to_be_visible()
    tab.get_by_test_id("input-compose_recipient").fill("Erin")
    modal.get_by_test_id("option").filter(has_text="Erin Walsh").click()
    expect(tab.get_by_test_id("input-compose_from")).to_be_visible()
    tab.get_by_test_id("input-compose_message").fill("Your table for four is booked.")
    # A pushed window (Add a contact) and back: what was typed is still there.
    tab.get_by_test_id("button-compose_add_contact").click()
    expect(modal).to_contain_text("Add contact")
    modal.get_by_role("button", name="Cancel").click()
    expect(tab.get_by_test_id("input-compose_message")).to_have_value(
        "Your table for four is booked.")
    tab.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    tab.get_by_test_id("customer").select_option("+14155557788")
    expect(tab.get_by_test_id("sms-in")).to_contain_text("Your table for four is booked.")


def test_escalate_from_the_card(tab: Page, sandbox: Sandbox) -> None:
    sandbox.twilio.text_in(from_="+14155553344", to="+14155550100", body="I want a refund")
    tab.get_by_test_id("member").select_option("U0BEN")
    tab.get_by_test_id("button-card_escalate").first.click()
    modal = tab.get_by_test_id("modal")
    expect(modal).to_contain_text("Escalate")
    tab.get_by_test_id("input-reason").fill("Refund over the limit")
    tab.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()
    tab.locator(".chan", has_text="Maria Manager").click()
    expect(tab.get_by_test_id("messages")).to_contain_text("Refund over the limit")
