"""Contacts, personal data and the superuser screens in a real headless Chromium: the contact
card loads on the ticket page, a NIK is masked until an admin asks, a proposal is merged into
one history, a password is changed, and a superuser sees the channel health. Screenshots of
each screen go to docs/screenshots/ (from the SQLite run)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from tests.conftest import PASSWORD, inbound
from tests.e2e.test_inbox_in_a_browser import browser  # noqa: F401 - the fixture

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
NIK = "3329010101900001"


async def _sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("main form button[type=submit]")
    await expect(page.locator(".who")).to_be_visible()


async def test_contact_card_reveal_merge_password_and_admin(live, seed, receive, browser, backend):  # noqa: F811
    url, _simulator = live
    first = await receive(
        inbound(f"KTP saya rusak. NIK {NIK}", sender="6281255550001", name="Dewi Lestari")
    )
    await receive(inbound("Akta anak saya salah", sender="6281255550002", name="dewi lestari"))
    shots = backend == "sqlite"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())  # the merge asks for confirmation
    await _sign_in(page, url, "admin_brebes")
    await page.goto(f"{url}/tickets/{first.ticket_id}")
    card = page.locator("#contact-card")
    await expect(card.get_by_text("Mungkin orang yang sama")).to_be_visible()
    body = page.locator(f"#body-{first.message_id}")
    await expect(body).to_contain_text("3329••••••••0001")
    assert NIK not in await page.content()
    await body.get_by_role("button", name="Tampilkan NIK/KK lengkap").click()
    await expect(body).to_contain_text(NIK)
    if shots:
        await page.screenshot(path=SCREENSHOTS / "contact-card.png", full_page=True)

    await card.get_by_role("button", name="Gabungkan ke kontak ini").click()
    await expect(card.get_by_text("6281255550002")).to_be_visible()
    await expect(card.get_by_text("Mungkin orang yang sama")).to_have_count(0)
    await card.get_by_role("link", name="Lihat riwayat lengkap warga").click()
    await expect(
        page.locator(".contact-history").get_by_text("Akta anak saya salah")
    ).to_be_visible()
    await expect(page.get_by_text("Semua tiket (2)")).to_be_visible()
    if shots:
        await page.screenshot(path=SCREENSHOTS / "contact-page.png", full_page=True)

    await page.get_by_role("link", name="Ganti kata sandi").click()
    await page.fill("#pw-current", PASSWORD)
    await page.fill("#pw-new", "sandi-baru-2026")
    await page.fill("#pw-repeat", "sandi-baru-2026")
    await page.get_by_role("button", name="Simpan kata sandi").click()
    await expect(page.get_by_text("Kata sandi diganti")).to_be_visible()
    if shots:
        await page.screenshot(path=SCREENSHOTS / "password-change.png", full_page=True)

    admin = await browser.new_page(viewport={"width": 1280, "height": 900})
    await _sign_in(admin, url, "root")
    await admin.get_by_role("link", name="Administrasi").click()
    await expect(admin.get_by_role("heading", name="Kantor")).to_be_visible()
    if shots:
        await admin.screenshot(path=SCREENSHOTS / "admin-offices.png", full_page=True)
    await admin.get_by_role("link", name="Kanal & kesehatan").click()
    await expect(admin.get_by_text("WA Pengaduan Brebes")).to_be_visible()
    if shots:
        await admin.screenshot(path=SCREENSHOTS / "admin-channels.png", full_page=True)
    await admin.get_by_role("link", name="Pengguna", exact=True).click()
    await expect(admin.get_by_role("link", name="admin_brebes")).to_be_visible()
    if shots:
        await admin.screenshot(path=SCREENSHOTS / "admin-users.png", full_page=True)
