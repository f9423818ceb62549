"""An open ticket page follows what happens elsewhere, in a real headless Chromium: another
admin's internal note and the citizen's next WhatsApp message (through the WhatsApp simulator)
show in its timeline without a reload.

The timeline also polls every 5 s while the page is visible; the watching page here reports
itself hidden, which stops the polling (`hx-trigger="every 5s [visible]"`), so only the live
event (GET /live, inbox/static/inbox-live.js) can bring the changes in."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Page, expect

from tests.conftest import BREBES_WA, inbound
from tests.e2e.test_inbox_in_a_browser import browser
from tests.e2e.test_workflow_in_a_browser import SCREENSHOTS, signed_in
from tests.inbox.desk import desk_staff

__all__ = ["browser", "desk_staff"]  # fixtures

LIVE_WAIT_MS = 20_000
HIDDEN = """
Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
Object.defineProperty(document, "hidden", { get: () => true });
"""


async def _watching(browser: Browser, url: str, username: str, ticket_id: int) -> Page:
    page = await signed_in(browser, url, username)
    await page.add_init_script(HIDDEN)  # from the next navigation on: no polling
    await page.goto(f"{url}/tickets/{ticket_id}")
    assert await page.evaluate("document.visibilityState") == "hidden"
    # A mark on this document: it survives only if the page is never reloaded.
    await page.evaluate("window.__stillTheSamePage = true")
    return page


async def test_a_colleagues_note_and_the_citizens_message_appear_on_an_open_ticket(
    live, desk_staff, receive, browser, backend
):
    url, simulator = live
    first = await receive(inbound("Akta kelahiran anak belum terbit", name="Siti Aminah"))
    watcher = await _watching(browser, url, "groupadmin_brebes", first.ticket_id)
    await expect(watcher.locator("#timeline-list .msg")).to_have_count(1)

    # Another admin, in another session, adds an internal note.
    writer = await signed_in(browser, url, "admin_brebes")
    await writer.goto(f"{url}/tickets/{first.ticket_id}")
    note = "Sudah dicek di arsip: berkas lengkap."
    await writer.fill("#note-body", note)
    await writer.locator("#note-form button[type=submit]").click()
    await expect(writer.locator(".msg", has_text=note)).to_be_visible()

    await expect(watcher.locator(".msg", has_text=note)).to_be_visible(timeout=LIVE_WAIT_MS)

    # The citizen writes again on WhatsApp: the same ticket, the same open page.
    async with httpx.AsyncClient(base_url=simulator.base_url) as sim:
        response = await sim.post(
            "/_sim/inbound",
            json={
                "phone_number_id": BREBES_WA,
                "from": "6281234567890",
                "name": "Siti Aminah",
                "text": "Kapan bisa diambil?",
            },
        )
        response.raise_for_status()
    await expect(watcher.locator(".msg", has_text="Kapan bisa diambil?")).to_be_visible(
        timeout=LIVE_WAIT_MS
    )
    await expect(watcher.locator("#timeline-list .msg")).to_have_count(3)
    assert await watcher.evaluate("window.__stillTheSamePage === true")
    if backend == "sqlite":  # one picture for the docs
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await watcher.screenshot(path=SCREENSHOTS / "ticket-live-note.png", full_page=True)
