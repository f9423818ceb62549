"""The admin's day in a real headless Chromium: log in, open the citizen's ticket, reply, and see
the reply's read tick arrive without reloading the page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from tests.conftest import BREBES_WA, PASSWORD
from tests.e2e.conftest import eventually

CHROMIUM = os.environ.get("HELPDESK_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
# Without these, Chromium tries Google's services at start; this machine's network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def browser():  # type: ignore[no-untyped-def]
    if not shutil.which(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (.ci/run installs Debian's chromium)"
        if os.environ.get("HELPDESK_TEST_SKIP_SERVICES") == "1":
            pytest.skip(message)
        pytest.fail(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def test_an_admin_answers_a_whatsapp_complaint_from_the_inbox(live, seed, browser, backend):
    url, simulator = live
    async with httpx.AsyncClient(base_url=simulator.base_url) as sim:
        await sim.post(
            "/_sim/inbound",
            json={
                "phone_number_id": BREBES_WA,
                "from": "6281234567890",
                "name": "Siti Aminah",
                "text": "KTP saya rusak <b>tolong</b>",
            },
        )
    async with httpx.AsyncClient(base_url=url, headers=seed.bearer("admin_brebes")) as api:

        async def ticket_id():  # type: ignore[no-untyped-def]
            items = (await api.get("/api/v1/tickets")).json()["items"]
            return items[0]["id"] if items else None

        await eventually(ticket_id)

    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    await page.goto(f"{url}/")
    await page.fill("input[name=username]", "admin_brebes")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("main form button[type=submit]")
    row = page.get_by_text("KTP saya rusak <b>tolong</b>")  # shown as text, never as markup
    await expect(row).to_be_visible()
    await row.click()
    await expect(page.get_by_role("heading", name="Percakapan")).to_be_visible()

    reply = "Silakan datang ke loket 3 membawa KK asli."
    await page.fill("#reply-body", reply)
    await page.get_by_role("button", name="Kirim balasan").click()
    bubble = page.locator(".msg", has_text=reply)
    await expect(bubble).to_be_visible()
    await expect(page.locator("#reply-body")).to_have_value("")
    await expect(page.locator("#ticket-status")).to_have_text("Diproses")  # was "Baru"
    # The simulator reports delivered then read; the timeline polls and shows it.
    await expect(bubble.get_by_text("Dibaca")).to_be_visible(timeout=20_000)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"inbox-ticket-{backend}.png", full_page=True)

    [sent] = simulator.store.outbound()
    assert (sent.citizen, sent.text) == ("6281234567890", reply)
