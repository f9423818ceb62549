"""The inbox list in a real headless Chromium: a citizen's WhatsApp message (through the WhatsApp
simulator) appears in the open list without a reload; the keyboard moves through it; search
finds the ticket by a word and by its register number. Screenshots go to docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.conftest import BREBES_WA, PASSWORD
from tests.e2e.conftest import eventually
from tests.e2e.test_inbox_in_a_browser import browser  # noqa: F401 - the shared fixture

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
LIVE_WAIT_MS = 20_000


async def _whatsapp(simulator, sender: str, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=simulator.base_url) as sim:
        response = await sim.post(
            "/_sim/inbound",
            json={"phone_number_id": BREBES_WA, "from": sender, "name": name, "text": text},
        )
        response.raise_for_status()


async def test_a_whatsapp_message_appears_live_and_search_finds_it(
    live,
    seed,
    browser,  # noqa: F811
    backend,
):
    url, simulator = live
    await _whatsapp(simulator, "6281234500001", "Budi Santoso", "Akta kelahiran anak belum terbit")
    async with httpx.AsyncClient(base_url=url, headers=seed.bearer("admin_brebes")) as api:

        async def first_ticket():  # type: ignore[no-untyped-def]
            return (await api.get("/api/v1/tickets")).json()["items"]

        await eventually(first_ticket)

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{url}/")
    await page.fill("input[name=username]", "admin_brebes")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("main form button[type=submit]")
    await expect(page.get_by_text("Akta kelahiran anak belum terbit")).to_be_visible()
    # A mark on this document: it survives only if the page is never reloaded.
    await page.evaluate("window.__stillTheSamePage = true")

    await _whatsapp(
        simulator, "6281234500002", "Siti Aminah", "Mohon info pindah domisili ke Brebes"
    )
    row = page.locator("#ticket-rows li", has_text="Mohon info pindah domisili ke Brebes")
    await expect(row).to_be_visible(timeout=LIVE_WAIT_MS)
    assert await page.evaluate("window.__stillTheSamePage === true")
    assert await page.locator("#ticket-rows li").count() == 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "inbox-list-live.png"), full_page=True)

    # Keyboard: "/" goes to the search box, j/k move through the rows.
    await page.keyboard.press("/")
    await expect(page.locator("#f-q")).to_be_focused()
    await page.locator("#f-q").blur()
    await page.keyboard.press("j")
    await expect(page.locator("#ticket-rows li a").first).to_be_focused()
    await page.keyboard.press("j")
    await expect(page.locator("#ticket-rows li a").nth(1)).to_be_focused()

    # Search by a word of the message.
    await page.fill("#f-q", "domisili")
    await page.keyboard.press("Enter")
    await expect(page.locator("#ticket-rows li")).to_have_count(1)
    await expect(page.locator("#ticket-rows li")).to_contain_text("pindah domisili")
    assert "q=domisili" in page.url  # the search is a link one can share or reload
    await page.screenshot(path=str(SCREENSHOTS / "inbox-search.png"), full_page=True)

    # And by the other ticket's register number, typed as printed on the receipt.
    async with httpx.AsyncClient(base_url=url, headers=seed.bearer("admin_brebes")) as api:
        items = (await api.get("/api/v1/tickets", params={"q": "akta"})).json()["items"]
    register_no = items[0]["register_no"]
    await page.fill("#f-q", register_no.lower())
    await page.keyboard.press("Enter")
    await expect(page.locator("#ticket-rows li")).to_have_count(1)
    await expect(page.locator("#ticket-rows li")).to_contain_text("Akta kelahiran")
    await page.close()
