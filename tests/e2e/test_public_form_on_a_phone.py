"""A citizen on a cheap phone: the public complaint form in a real headless Chromium at a
phone's size, a photo attached, the register number shown, then the status page with it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.test_inbox_in_a_browser import ARTIFACTS, browser  # noqa: F401 - the fixture
from tests.inbox.test_public_pages import PNG

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


async def test_a_citizen_files_a_complaint_and_checks_its_status(live, seed, browser, tmp_path):  # noqa: F811
    url, _ = live
    photo = tmp_path / "ktp.png"
    photo.write_bytes(PNG)
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    response = await page.goto(f"{url}/publik/aduan")
    assert response is not None and response.status == 200
    assert len(await response.body()) < 30_000

    await page.get_by_label("Kantor Dukcapil").select_option("brebes")
    await page.get_by_label("Nama (boleh dikosongkan)").fill("Siti Aminah")
    await page.get_by_label("Isi pengaduan").fill("KTP-el saya belum jadi sejak tiga bulan.")
    await page.get_by_label("Nomor WhatsApp").fill("0812 3456 7890")
    await page.get_by_label("Foto dokumen (boleh tidak ada)").set_input_files(str(photo))
    # Nothing overflows the phone's width.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "public-form-phone.png"), full_page=True)
    await page.wait_for_timeout(3200)  # a person takes longer than the form's minimum fill time
    await page.get_by_role("button", name="Kirim pengaduan").click()

    register = page.locator("#register-no")
    await expect(register).to_have_text(re.compile(r"^ADU/BREBES/\d{4}/\d{6}$"))
    await expect(page.get_by_text("WhatsApp ke 6281234567890")).to_be_visible()
    register_no = (await register.text_content() or "").strip()
    await page.screenshot(path=str(ARTIFACTS / "public-form-filed.png"), full_page=True)

    await page.get_by_role("link", name="Cek status pengaduan").first.click()
    await page.get_by_label("Nomor register").fill(register_no)
    await page.get_by_label("Empat angka terakhir nomor telepon").fill("7890")
    await page.get_by_role("button", name="Cek status").click()
    result = page.locator("#status-result")
    await expect(result).to_contain_text(register_no)
    await expect(result).to_contain_text("menunggu ditangani")
    await expect(result).not_to_contain_text("belum jadi")  # the complaint itself is not shown
    await page.screenshot(path=str(ARTIFACTS / "public-status-phone.png"), full_page=True)
    await context.close()
