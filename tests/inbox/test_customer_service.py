"""Customer service registers face-to-face and phone complaints into the same inbox, and prints
(or sends) the receipt with the register number."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from helpdesk.models import ContactIdentity, Direction, Message, OutboxItem, Ticket
from tests.inbox.conftest import post_form
from tests.inbox.desk import browser_for, desk_staff

__all__ = ["browser_for", "desk_staff"]  # fixtures

FORM = {
    "office": "brebes",
    "channel": "counter",
    "name": "Budi Santoso",
    "phone": "",
    "email": "",
    "nik": "",
    "category": "kk",
    "text": "KK saya rusak terkena air, mohon dicetak ulang.",
}


async def tickets(rt) -> list[Ticket]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


async def test_a_walk_in_complaint_becomes_a_ticket_with_a_register_number(browser_for, rt):
    async with browser_for("cs_brebes") as cs:
        form = (await cs.get("/cs")).text
        assert 'name="channel" value="counter"' in form and 'name="channel" value="phone"' in form
        response = await post_form(cs, "/cs", {**FORM, "nik": "3329 0123 4567 8901"})
        assert response.status_code == 303
        [ticket] = await tickets(rt)
        assert response.headers["location"] == f"/cs/receipt/{ticket.id}"
        assert re.fullmatch(r"ADU/BREBES/\d{4}/\d{6}", ticket.register_no)
        assert (ticket.channel, ticket.category, ticket.channel_account_id) == (
            "counter",
            "kk",
            None,
        )
        assert ticket.step == "admin"  # Brebes' SOP starts every channel at its Admin
        receipt = (await cs.get(response.headers["location"])).text
        inbox = (await cs.get(f"/tickets/{ticket.id}")).text
    assert "Tanda Terima Pengaduan" in receipt and ticket.register_no in receipt
    assert "Kabupaten Brebes" in receipt and "WIB" in receipt
    assert "332901********01" in receipt and "3329012345678901" not in receipt
    assert "Admin menjawab, atau mengonsultasikan ke Group Admin" in receipt  # next step
    assert "@media print" not in receipt and "/static/desk.css" in receipt
    assert "KK saya rusak terkena air" in inbox and "Tatap muka" in inbox


async def test_a_phone_complaint_starts_at_the_call_centre_step_of_its_sop(browser_for, rt):
    async with browser_for("cs_tomohon") as cs:
        response = await post_form(
            cs, "/cs", {**FORM, "office": "tomohon", "channel": "phone", "category": "ktp_el"}
        )
    assert response.status_code == 303
    [ticket] = await tickets(rt)
    assert (ticket.channel, ticket.step) == ("phone", "kasie")
    assert ticket.register_no.startswith("ADU/TOMOHON/")


async def test_the_receipt_goes_to_the_citizens_whatsapp_through_the_outbox(
    browser_for, rt, receive
):
    from tests.conftest import inbound

    earlier = await receive(inbound("Halo", sender="6281299990000", name="Budi"))
    async with browser_for("cs_brebes") as cs:
        response = await post_form(
            cs,
            "/cs",
            {**FORM, "phone": "0812-9999-0000", "email": "budi@example.id", "send_whatsapp": "1"},
        )
        assert response.status_code == 303
        receipt = (await cs.get(response.headers["location"])).text
    walk_in = (await tickets(rt))[-1]
    async with rt.sessions() as session:
        sent = await session.scalar(
            select(Message).where(
                Message.ticket_id == walk_in.id, Message.direction == Direction.outbound
            )
        )
        assert sent is not None and sent.channel == "whatsapp" and sent.details["receipt"]
        assert walk_in.register_no in sent.body
        assert await session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.message_id == sent.id)
        )
        contact_ids = set(
            await session.scalars(
                select(ContactIdentity.contact_id).where(
                    ContactIdentity.external_id == "6281299990000"
                )
            )
        )
    earlier_ticket = next(t for t in await tickets(rt) if t.id == earlier.ticket_id)
    assert contact_ids == {walk_in.contact_id} == {earlier_ticket.contact_id}  # the same citizen
    assert "Tanda terima ke warga" in receipt and "WhatsApp" in receipt
    assert walk_in.channel_account_id == sent.channel_account_id  # answers go there too


async def test_no_receipt_is_sent_where_the_office_has_no_such_channel(browser_for, rt):
    async with browser_for("cs_brebes") as cs:
        form = (await cs.get("/cs")).text
        assert 'name="send_whatsapp"' in form and 'name="send_email"' not in form
        await post_form(cs, "/cs", {**FORM, "email": "budi@example.id", "send_email": "1"})
    async with rt.sessions() as session:
        assert not await session.scalar(select(func.count()).select_from(OutboxItem))


async def test_bad_or_hostile_fields_are_refused_and_create_nothing(browser_for, rt):
    cases = [
        ({"name": ""}, "Nama pelapor wajib diisi."),
        ({"text": "   "}, "Isi pengaduan wajib diisi."),
        ({"text": "x" * 4001}, "Isi pengaduan paling banyak 4000 karakter."),
        ({"text": "x" * 200_000}, "Isi pengaduan paling banyak 4000 karakter."),
        ({"nik": "12345"}, "NIK harus 16 angka."),
        ({"phone": "<script>"}, "Nomor HP tidak sah"),
        ({"email": "a@b"}, "Alamat surel tidak sah."),
        ({"category": "bribe"}, "Kategori tidak dikenal."),
        ({"channel": "whatsapp"}, "Pilih tatap muka atau telepon."),
    ]
    async with browser_for("cs_brebes") as cs:
        for fields, message in cases:
            response = await post_form(cs, "/cs", {**FORM, **fields})
            assert response.status_code == 400, fields
            assert message in response.text, fields
        other = await post_form(cs, "/cs", {**FORM, "office": "tomohon"})
        assert other.status_code == 403
    assert await tickets(rt) == []


async def test_html_in_a_walk_in_complaint_is_shown_as_text(browser_for, rt):
    hostile = '<img src=x onerror="alert(1)">'
    async with browser_for("cs_brebes") as cs:
        response = await post_form(cs, "/cs", {**FORM, "name": hostile, "text": hostile})
        assert response.status_code == 303
        [ticket] = await tickets(rt)
        for url in (response.headers["location"], f"/tickets/{ticket.id}", "/"):
            page = (await cs.get(url)).text
            assert hostile not in page, url
            assert "&lt;img src=x onerror=" in page, url


async def test_a_user_of_another_office_cannot_open_the_receipt(browser_for, rt):
    async with browser_for("cs_brebes") as cs:
        response = await post_form(cs, "/cs", FORM)
    async with browser_for("admin_tomohon") as other:
        assert (await other.get(response.headers["location"])).status_code == 404


async def test_the_form_needs_the_csrf_token(browser_for, rt):
    async with browser_for("cs_brebes") as cs:
        response = await cs.post("/cs", data=FORM)
    assert response.status_code == 403
    assert await tickets(rt) == []


async def test_officials_without_a_desk_role_are_told_whom_the_form_is_for(browser_for):
    async with browser_for("kabid_tomohon") as kabid:
        page = (await kabid.get("/cs")).text
    assert "Formulir ini untuk Customer Service dan Admin." in page
