"""The workflow desk in a real headless Chromium: an admin consults the group of admins, a Kasie
escalates, the Kabid decides from the officials' queue, customer service registers a walk-in
complaint and sees its receipt, and one office's user cannot reach another's ticket by URL.
Screenshots of each screen go to docs/screenshots/ (from the SQLite run)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.test_inbox_in_a_browser import browser
from tests.inbox.desk import desk_staff

__all__ = ["browser", "desk_staff"]  # fixtures

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


async def signed_in(browser: Browser, url: str, username: str, width: int = 1280) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await page.goto(f"{url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("main form button[type=submit]")
    await page.wait_for_url(f"{url}/")
    return page


async def shoot(page: Page, name: str, backend: str) -> None:
    if backend == "sqlite":  # one set of pictures for the docs
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


async def test_consult_escalate_decide_and_register_a_walk_in(
    live, desk_staff, receive, browser, backend
):
    from tests.conftest import TOMOHON_WA, inbound

    url, _simulator = live
    brebes = await receive(inbound("Akta kelahiran anak saya salah nama ibu", name="Siti"))
    tomohon = await receive(
        inbound(
            "KTP-el saya hilang saat banjir, bagaimana mengurusnya?",
            account=TOMOHON_WA,
            sender="6285200000001",
            name="Yohanes Rumengan",
        )
    )

    # An admin consults the group of admins; the question shows in the consultation thread.
    admin = await signed_in(browser, url, "admin_brebes")
    await admin.goto(f"{url}/tickets/{brebes.ticket_id}")
    await admin.get_by_text("Konsultasikan ke Group Admin", exact=True).first.click()
    await admin.locator("#act-konsultasi-question").fill("Perlu putusan pengadilan untuk nama ibu?")
    await admin.locator("#act-konsultasi button[type=submit]").click()
    thread = admin.locator("#consultations")
    await expect(thread).to_contain_text("Perlu putusan pengadilan untuk nama ibu?")
    await expect(admin.locator("#sop-panel")).to_contain_text("Pejabat Bidang Teknis / Group Admin")

    # A Kasie escalates to the Kabid.
    kasie = await signed_in(browser, url, "kasie_tomohon")
    await kasie.goto(f"{url}/tickets/{tomohon.ticket_id}")
    await expect(kasie.locator("#sop-panel")).to_contain_text("WITA")
    await kasie.get_by_text("Teruskan ke Kabid", exact=True).first.click()
    await kasie.locator("#act-eskalasi-reason").fill(
        "Tidak ada surat kehilangan; mohon keputusan Kabid."
    )
    await shoot(kasie, "ticket-page", backend)
    await kasie.locator("#act-eskalasi button[type=submit]").click()
    await expect(kasie.locator("#sop-panel")).to_contain_text("Kabid memutuskan tindak lanjut")
    await expect(kasie.locator("#audit")).to_contain_text("Dieskalasi")
    await kasie.locator("#audit summary").click()
    await shoot(kasie, "ticket-page-escalated", backend)

    # The Kabid decides from the officials' queue, in one step.
    kabid = await signed_in(browser, url, "kabid_tomohon")
    await kabid.get_by_role("link", name="Antrean keputusan").click()
    item = kabid.locator(f"#q{tomohon.ticket_id}")
    await expect(item).to_contain_text("KTP-el saya hilang saat banjir")
    await expect(item).to_contain_text("Tidak ada surat kehilangan")
    await shoot(kabid, "officials-queue", backend)
    q = f"#q{tomohon.ticket_id}-putuskan"
    await kabid.locator(f"{q}-outcome").select_option("answer")
    await kabid.locator(f"{q}-reason").fill("Cukup laporan kehilangan dari kelurahan.")
    await kabid.locator(f"{q}-body").fill(
        "Silakan datang dengan surat keterangan kehilangan dari kelurahan."
    )
    await item.get_by_role("button", name="Putuskan tindak lanjut").click()
    await expect(kabid.locator(f"#q{tomohon.ticket_id}")).to_contain_text("tercatat")

    # Customer service registers a walk-in complaint and sees the receipt.
    cs = await signed_in(browser, url, "cs_brebes", width=900)
    await cs.get_by_role("link", name="Pengaduan langsung").click()
    await cs.get_by_label("Nama pelapor").fill("Budi Santoso")
    await cs.get_by_label("Nomor HP/WhatsApp").fill("0812 3456 7890")
    await cs.get_by_label("NIK").fill("3329012345678901")
    await cs.get_by_label("Kategori").select_option("kk")
    await cs.get_by_label("Isi pengaduan").fill("KK saya rusak terkena air, mohon cetak ulang.")
    await shoot(cs, "cs-form", backend)
    await cs.get_by_role("button", name="Catat dan buat tanda terima").click()
    receipt = cs.locator("#receipt")
    await expect(receipt).to_contain_text("Tanda Terima Pengaduan")
    await expect(receipt).to_contain_text("ADU/BREBES/")
    await expect(receipt).to_contain_text("Budi Santoso")  # as given, though the number is Siti's
    await expect(receipt).to_contain_text("332901********01")
    await expect(receipt).not_to_contain_text("3329012345678901")
    await shoot(cs, "receipt", backend)

    # One office's user cannot reach the other office's ticket by URL.
    response = await admin.goto(f"{url}/tickets/{tomohon.ticket_id}")
    assert response is not None and response.status == 404
    await expect(admin.locator("main")).not_to_contain_text("KTP-el saya hilang")
