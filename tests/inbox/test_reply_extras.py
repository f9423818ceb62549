"""The reply box's extras through the inbox forms, against the WhatsApp simulator: approved
templates (listed, cached, filled, refused), files (uploaded, refused), quoted replies, and the
read receipt sent once when a ticket is opened. No browser: real forms, real HTTP to the
simulator, jobs drained on both backends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from channels.whatsapp.simulator.sim_templates import SimTemplate
from channels.whatsapp.simulator.store import SimMessage
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.models import (
    Attachment,
    ChannelAccount,
    Message,
    Office,
    ReadReceipt,
    Role,
    TemplateCache,
    Ticket,
    utcnow,
)
from helpdesk.walk_in import InPerson, register
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA, inbound
from tests.inbox.conftest import HTMX, csrf_token, post_form

WABA = "102290129340398"
CITIZEN = "6281234567890"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"%" * 200 + b"\n%%EOF\n"


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=30, delivered=30, read=None),
        business_account_id=WABA,
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


@pytest.fixture
async def office(rt, seed):  # type: ignore[no-untyped-def]
    """Brebes' WhatsApp number with its business account id, as the offices file gives it."""
    async with transaction(rt.sessions) as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        account.config = {**account.config, "business_account_id": WABA}
    rt.forget_accounts()


async def close_window(rt, tid: int) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Ticket)
            .where(Ticket.id == tid)
            .values(last_inbound_at=utcnow() - timedelta(days=2))
        )


async def messages_of(rt, tid: int) -> list[Message]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(
            await session.scalars(
                select(Message).where(Message.ticket_id == tid).order_by(Message.id)
            )
        )


async def compose(client, tid: int, query: str = "") -> str:  # type: ignore[no-untyped-def]
    response = await client.get(f"/tickets/{tid}/compose{query}", headers=HTMX)
    assert response.status_code == 200, response.text
    return response.text


# -- the ticket page ---------------------------------------------------------------------------


async def test_the_ticket_page_loads_the_extras_and_offers_to_answer_each_citizen_message(
    brebes, office, ticket
):
    tid = await ticket("KTP saya rusak")
    html = (await brebes.get(f"/tickets/{tid}")).text
    assert f'hx-get="/tickets/{tid}/compose"' in html
    assert f'hx-post="/tickets/{tid}/seen"' in html
    [inbound_id] = re.findall(r'id="m(\d+)" class="msg msg-in"', html)
    assert f"/tickets/{tid}/compose?quote={inbound_id}" in html
    assert "Balas pesan ini" in html


async def test_inside_the_window_templates_are_offered_on_request_only(
    brebes, rt, office, ticket, simulator
):
    tid = await ticket()
    html = await compose(brebes, tid)
    assert "Tampilkan templat" in html and 'id="media-form"' in html
    assert "24 jam" not in html
    async with rt.sessions() as session:
        assert await session.get(TemplateCache, 1) is None  # nothing asked of the platform
    html = await compose(brebes, tid, "?templates=1")
    assert "dokumen_siap_diambil (id)" in html


async def test_without_javascript_the_extras_are_a_page_of_their_own(brebes, office, ticket):
    tid = await ticket()
    response = await brebes.get(f"/tickets/{tid}/compose")
    assert response.status_code == 200
    assert "<html" in response.text and 'id="media-form"' in response.text


# -- templates ---------------------------------------------------------------------------------


async def test_outside_the_window_approved_templates_are_offered_with_their_values(
    brebes, rt, office, ticket, simulator
):
    tid = await ticket()
    await close_window(rt, tid)
    html = await compose(brebes, tid)
    assert "balasan bebas tidak akan sampai" in html
    select_part = html.split('id="template-choice"')[1].split("</select>")[0]
    assert "tindak_lanjut_pengaduan (id)" in select_part
    assert "promo_jemput_bola_ktp" not in select_part  # rejected: listed, not offered
    assert "pengingat_perekaman_ktp" not in select_part  # paused
    assert "promo_jemput_bola_ktp (id) — status REJECTED" in html
    html = await compose(brebes, tid, "?template=dokumen_siap_diambil|id&p1=Siti")
    assert 'name="p1"' in html and 'name="p2"' in html and 'name="p3"' in html
    assert "Yth. Siti, dokumen {{2}} Anda sudah selesai" in html
    preview = await brebes.get(
        f"/tickets/{tid}/template-preview",
        params={"template": "dokumen_siap_diambil|id", "p1": "Siti", "p2": "<b>KK</b>"},
        headers=HTMX,
    )
    assert "dokumen &lt;b&gt;KK&lt;/b&gt; Anda" in preview.text


async def test_a_number_without_a_business_account_says_templates_need_setting_up(
    brebes, rt, ticket
):
    tid = await ticket()
    await close_window(rt, tid)
    html = await compose(brebes, tid)
    assert "balasan bebas tidak akan sampai" in html
    assert "belum punya business_account_id" in html
    assert 'id="template-choice"' not in html


async def test_a_free_reply_once_the_window_is_closed_fails_with_the_reason(
    brebes, rt, jobs, office, ticket, simulator
):
    tid = await ticket()
    await close_window(rt, tid)
    await post_form(brebes, f"/tickets/{tid}/reply", {"body": "Halo"}, headers=HTMX)
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    assert (reply.status, reply.error_code) == ("failed", "window_closed")
    assert simulator.store.outbound() == []
    assert "kirim templat yang disetujui" in (await brebes.get(f"/tickets/{tid}")).text


async def counter_ticket(rt, seed) -> int:  # type: ignore[no-untyped-def]
    """A complaint taken at the counter, answered on the citizen's WhatsApp number, which
    never wrote to the office's number."""
    async with transaction(rt.sessions) as session:
        office = (await session.scalars(select(Office).where(Office.code == "brebes"))).one()
        cs = Principal(
            seed.users["admin_brebes"], "admin_brebes", "Admin", False, {office.id: Role.admin}
        )
        complaint = InPerson(
            channel="counter", name="Budi Santoso", text="KK rusak", phone="0812-3456-7890"
        )
        return (await register(session, office, cs, complaint)).id


async def name_first_contact_template(rt) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        account.config = {**account.config, "first_contact_template": "tindak_lanjut_pengaduan"}
    rt.forget_accounts()


async def test_a_closed_window_with_a_first_contact_template_says_the_reply_goes_as_it(
    brebes, rt, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    html = await compose(brebes, tid)
    assert "balasan bebas tidak akan sampai" in html  # no template named yet: the warning
    modes = (await brebes.get(f"/tickets/{tid}/reply-modes", headers=HTMX)).text
    assert "warga harus menulis lagi" in modes
    await name_first_contact_template(rt)
    html = await compose(brebes, tid)
    assert "balasan bebas tidak akan sampai" not in html
    assert "dikirim sebagai templat yang disetujui tindak_lanjut_pengaduan" in html
    modes = (await brebes.get(f"/tickets/{tid}/reply-modes", headers=HTMX)).text
    assert "warga harus menulis lagi" not in modes
    assert "templat yang disetujui tindak_lanjut_pengaduan" in modes
    brebes.cookies.set("lang", "en")
    html = await compose(brebes, tid)
    assert "a free reply goes as the approved template tindak_lanjut_pengaduan" in html


async def test_a_first_contact_template_does_not_reopen_the_window_of_the_ticket_own_chat(
    brebes, rt, office, ticket, simulator
):
    """The outbox puts the template in place of free text only for a ticket answered on an
    account it did not come in by; a WhatsApp ticket's own closed window still refuses it."""
    tid = await ticket()
    await close_window(rt, tid)
    await name_first_contact_template(rt)
    html = await compose(brebes, tid)
    assert "balasan bebas tidak akan sampai" in html
    assert "dikirim sebagai templat" not in html


async def configure_reply_account(rt, **config: str) -> None:  # type: ignore[no-untyped-def]
    """Brebes' WhatsApp number as the offices file sets it, `config` changed."""
    async with transaction(rt.sessions) as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        account.config = {**account.config, **config}
    rt.forget_accounts()


async def test_a_refused_free_reply_says_what_to_set(brebes, rt, seed, office, simulator):
    tid = await counter_ticket(rt, seed)
    html = await compose(brebes, tid)
    assert "balasan bebas tidak akan sampai" in html  # the warning, and now why
    refused = html.split('id="free-reply-refused">')[1].split("</p>")[0]
    assert "belum menamai templat kontak pertama" in refused
    assert "Tetapkan first_contact_template untuk kanal ini" in refused
    brebes.cookies.set("lang", "en")
    html = await compose(brebes, tid)
    assert "Set first_contact_template for this channel in the offices file" in html


async def test_a_first_contact_template_missing_from_the_list_is_no_promise(
    brebes, rt, jobs, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(rt, first_contact_template="tindak_lanjut_lama")
    html = await compose(brebes, tid)
    assert "dikirim sebagai templat" not in html
    assert 'id="free-reply-template"' not in html
    refused = html.split('id="free-reply-refused">')[1].split("</p>")[0]
    assert "templat kontak pertama tindak_lanjut_lama (id) tidak ada di daftar" in refused
    assert "Perbaiki first_contact_template" in refused
    modes = (await brebes.get(f"/tickets/{tid}/reply-modes", headers=HTMX)).text
    assert "templat yang disetujui" not in modes and "warga harus menulis lagi" in modes
    brebes.cookies.set("lang", "en")
    html = await compose(brebes, tid)
    assert "tindak_lanjut_lama (id) is not in this account&#39;s template list" in html
    # What the box said is what the send does: refused, nothing reaches the platform.
    await post_form(brebes, f"/tickets/{tid}/reply", {"body": "Halo"}, headers=HTMX)
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    assert (reply.status, reply.error_code) == ("failed", "first_contact_template_bad")
    assert simulator.store.outbound() == []


async def test_a_first_contact_template_in_another_language_is_missing_too(
    brebes, rt, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(
        rt, first_contact_template="tindak_lanjut_pengaduan", first_contact_language="en"
    )
    html = await compose(brebes, tid)
    assert "dikirim sebagai templat" not in html
    assert "tindak_lanjut_pengaduan (en) tidak ada di daftar" in html


async def test_a_first_contact_template_with_another_count_of_values_is_no_promise(
    brebes, rt, jobs, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(
        rt, first_contact_template="tindak_lanjut_pengaduan", first_contact_parameters="name"
    )
    html = await compose(brebes, tid)
    assert "dikirim sebagai templat" not in html
    refused = html.split('id="free-reply-refused">')[1].split("</p>")[0]
    assert "meminta 2 isian, tetapi first_contact_parameters memberi 1 (name)" in refused
    # The reply form's own line, from the listing the box stored, promises nothing either.
    modes = (await brebes.get(f"/tickets/{tid}/reply-modes", headers=HTMX)).text
    assert "templat yang disetujui" not in modes and "warga harus menulis lagi" in modes
    brebes.cookies.set("lang", "en")
    html = await compose(brebes, tid)
    assert "takes 2 value(s), but first_contact_parameters gives 1 (name)" in html
    await post_form(brebes, f"/tickets/{tid}/reply", {"body": "Halo"}, headers=HTMX)
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    assert (reply.status, reply.error_code) == ("failed", "first_contact_template_bad")
    assert simulator.store.outbound() == []


async def test_a_first_contact_template_the_platform_will_not_send_is_no_promise(
    brebes, rt, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(rt, first_contact_template="promo_jemput_bola_ktp")
    html = await compose(brebes, tid)
    assert "dikirim sebagai templat" not in html
    refused = html.split('id="free-reply-refused">')[1].split("</p>")[0]
    assert "promo_jemput_bola_ktp (id) saat ini tidak dapat dikirim (status REJECTED)" in refused


async def test_unknown_first_contact_fields_are_named_in_the_box(
    brebes, rt, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(
        rt, first_contact_template="tindak_lanjut_pengaduan", first_contact_parameters="nik"
    )
    html = await compose(brebes, tid)
    refused = html.split('id="free-reply-refused">')[1].split("</p>")[0]
    assert "isian yang tidak dikenal (nik; yang dikenal: name, register_no" in refused


async def test_without_a_template_list_the_box_says_it_could_not_check(brebes, rt, seed, simulator):
    """The listing fails (an unknown business account): the template may or may not be there,
    and the box says it could not look instead of promising."""
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(
        rt, business_account_id="999", first_contact_template="tindak_lanjut_pengaduan"
    )
    html = await compose(brebes, tid)
    assert 'id="free-reply-template"' not in html and 'id="free-reply-refused"' not in html
    unverified = html.split('id="free-reply-unverified">')[1].split("</p>")[0]
    assert "hanya bila templat itu ada di daftar templat akun" in unverified
    assert "tidak dapat diambil untuk memeriksanya ([100]" in unverified
    brebes.cookies.set("lang", "en")
    html = await compose(brebes, tid)
    assert "that list could not be fetched to check ([100]" in html


async def test_a_first_contact_template_in_the_list_is_still_promised_as_is(
    brebes, rt, seed, office, simulator
):
    tid = await counter_ticket(rt, seed)
    await configure_reply_account(rt, first_contact_template="tindak_lanjut_pengaduan")
    html = await compose(brebes, tid)
    promise = html.split('id="free-reply-template">')[1].split("</p>")[0]
    assert "dikirim sebagai templat yang disetujui tindak_lanjut_pengaduan" in promise
    assert "balasan bebas tidak akan sampai" not in html
    assert 'id="free-reply-refused"' not in html and 'id="free-reply-unverified"' not in html
    modes = (await brebes.get(f"/tickets/{tid}/reply-modes", headers=HTMX)).text
    assert "templat yang disetujui tindak_lanjut_pengaduan" in modes


async def test_the_template_list_is_cached_until_refreshed_or_stale(
    brebes, rt, office, ticket, simulator
):
    tid = await ticket()
    assert "informasi_baru" not in await compose(brebes, tid, "?templates=1")
    simulator.store.templates.append(
        SimTemplate("informasi_baru", "id", "UTILITY", "APPROVED", "Info: {{1}}")
    )
    assert "informasi_baru" not in await compose(brebes, tid, "?templates=1")  # from the cache
    refreshed = await post_form(brebes, f"/tickets/{tid}/templates/refresh", {}, headers=HTMX)
    assert "informasi_baru (id)" in refreshed.text
    simulator.store.templates.pop()
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(TemplateCache).values(fetched_at=utcnow() - timedelta(hours=2))
        )
    assert "informasi_baru" not in await compose(brebes, tid, "?templates=1")  # stale: re-listed


async def test_a_template_reply_is_sent_and_shows_its_filled_text(
    brebes, rt, jobs, office, ticket, simulator
):
    tid = await ticket()
    await close_window(rt, tid)
    await compose(brebes, tid)  # lists the templates
    values = {"template": "dokumen_siap_diambil|id", "p1": "Siti", "p2": "KK", "p3": "loket 2"}
    response = await post_form(brebes, f"/tickets/{tid}/template-reply", values, headers=HTMX)
    assert response.status_code == 200, response.text
    assert "Yth. Siti, dokumen KK Anda sudah selesai dan dapat diambil di loket 2" in response.text
    assert "Templat dokumen_siap_diambil (id)" in response.text
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    assert reply.status == "sent" and reply.details["template"]["parameters"] == [
        "Siti",
        "KK",
        "loket 2",
    ]
    [sent] = simulator.store.outbound()
    assert sent.type == "template" and sent.text == reply.body


async def test_values_the_platform_no_longer_expects_fail_the_reply_with_the_reason(
    brebes, rt, jobs, office, ticket, simulator
):
    tid = await ticket()
    await compose(brebes, tid, "?templates=1")  # cached: three values
    template = next(t for t in simulator.store.templates if t.name == "dokumen_siap_diambil")
    template.body = "Yth. {{1}}, dokumen {{2}} Anda sudah selesai."  # edited at Meta since
    values = {"template": "dokumen_siap_diambil|id", "p1": "Siti", "p2": "KK", "p3": "loket 2"}
    await post_form(brebes, f"/tickets/{tid}/template-reply", values, headers=HTMX)
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    assert (reply.status, reply.error_code) == ("failed", "132000")
    html = (await brebes.get(f"/tickets/{tid}")).text
    assert "Isian templat tidak cocok dengan templat yang disetujui" in html


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"template": "tidak_ada|id"}, "Templat itu tidak ada dalam daftar nomor ini."),
        ({"template": "promo_jemput_bola_ktp|id", "p1": "x"}, "belum disetujui"),
        ({"template": "dokumen_siap_diambil|id", "p1": "Siti", "p2": "KK"}, "Jumlah isian"),
        (
            {"template": "dokumen_siap_diambil|id", "p1": "Siti", "p2": " ", "p3": "x"},
            "Semua isian templat harus diisi.",
        ),
        ({"template": "x" * 5000}, "Templat itu tidak ada"),
    ],
)
async def test_a_template_form_that_does_not_fit_is_refused_and_queues_nothing(
    brebes, rt, office, ticket, simulator, values, reason
):
    tid = await ticket()
    await compose(brebes, tid, "?templates=1")
    response = await post_form(brebes, f"/tickets/{tid}/template-reply", values, headers=HTMX)
    assert response.status_code == 400
    assert response.headers["hx-retarget"] == "#template-error"
    assert reason in response.text
    assert [m.direction for m in await messages_of(rt, tid)] == ["in"]


async def test_a_template_reply_without_javascript_redirects_or_shows_the_form_again(
    brebes, rt, office, ticket, simulator
):
    tid = await ticket()
    await compose(brebes, tid, "?templates=1")
    values = {"template": "pengaduan_selesai|id"}
    response = await post_form(brebes, f"/tickets/{tid}/template-reply", values)
    assert response.status_code == 303
    refused = await post_form(
        brebes, f"/tickets/{tid}/template-reply", {"template": "dokumen_siap_diambil|id"}
    )
    assert refused.status_code == 400 and "Jumlah isian" in refused.text
    assert "<html" in refused.text


# -- files -------------------------------------------------------------------------------------


async def upload(client, tid: int, content: bytes, name: str, mime: str, **fields):  # type: ignore[no-untyped-def]
    data = {"_csrf_token": await csrf_token(client), **fields}
    return await client.post(
        f"/tickets/{tid}/media-reply",
        data=data,
        files={"file": (name, content, mime)},
        headers=HTMX,
    )


async def test_an_image_reply_is_stored_shown_and_sent_as_uploaded_media(
    brebes, rt, jobs, office, ticket, simulator
):
    tid = await ticket()
    response = await upload(
        brebes, tid, PNG, "../../formulir F1.png", "image/png", caption="Isi ini"
    )
    assert response.status_code == 200, response.text
    assert "/attachments/" in response.text and "Isi ini" in response.text
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    async with rt.sessions() as session:
        [attachment] = await session.scalars(
            select(Attachment).where(Attachment.message_id == reply.id)
        )
    assert (reply.content_kind, reply.status) == ("image", "sent")
    assert (attachment.content_type, attachment.filename) == ("image/png", "formulir F1.png")
    [sent] = simulator.store.outbound()
    assert sent.type == "image" and sent.text == "Isi ini"
    assert simulator.store.media[sent.media_id].content == PNG
    assert (await brebes.get(f"/attachments/{attachment.id}")).content == PNG


async def test_a_document_reply_keeps_its_name(brebes, rt, jobs, office, ticket, simulator):
    tid = await ticket()
    # The browser's declared type is not believed: the bytes say PDF.
    response = await upload(brebes, tid, PDF, "syarat.pdf", "application/octet-stream")
    assert response.status_code == 200
    await jobs.drain()
    [sent] = simulator.store.outbound()
    assert sent.type == "document" and sent.details["filename"] == "syarat.pdf"


@pytest.mark.parametrize(
    ("content", "name", "mime", "reason"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "surat.pdf", "application/pdf", "Jenis berkas ini"),
        (b"PK\x03\x04" + b"\x00" * 100, "arsip.zip", "application/zip", "Jenis berkas ini"),
        (b"GIF89a" + b"\x00" * 100, "anim.gif", "image/gif", "Jenis berkas ini"),
        (b"", "kosong.png", "image/png", "Berkas itu kosong."),
        (PNG + b"\x00" * (5 * 1024 * 1024), "besar.png", "image/png", "terlalu besar"),
    ],
)
async def test_a_file_the_channel_cannot_take_is_refused_and_nothing_is_kept(
    brebes, rt, office, ticket, simulator, content, name, mime, reason
):
    tid = await ticket()
    response = await upload(brebes, tid, content, name, mime)
    assert response.status_code == 400
    assert response.headers["hx-retarget"] == "#media-error"
    assert reason in response.text
    assert [m.direction for m in await messages_of(rt, tid)] == ["in"]
    async with rt.sessions() as session:
        assert list(await session.scalars(select(Attachment))) == []


async def test_a_media_form_without_a_file_or_with_a_text_in_its_place_is_refused(
    brebes, rt, office, ticket
):
    tid = await ticket()
    data = {"_csrf_token": await csrf_token(brebes), "file": "bukan berkas", "caption": "x"}
    response = await brebes.post(
        f"/tickets/{tid}/media-reply", data=data, files={"other": ("a", b"a")}, headers=HTMX
    )
    assert response.status_code == 400 and "Pilih berkas dulu." in response.text
    long_caption = "x" * 2000
    response = await upload(brebes, tid, PNG, "a.png", "image/png", caption=long_caption)
    assert response.status_code == 400 and "Keterangan terlalu panjang." in response.text


async def test_a_file_cannot_be_sent_once_the_window_is_closed(brebes, rt, office, ticket):
    tid = await ticket()
    await close_window(rt, tid)
    response = await upload(brebes, tid, PNG, "a.png", "image/png")
    assert response.status_code == 400 and "hanya templat" in response.text


# -- quotes ------------------------------------------------------------------------------------


async def test_a_quoted_reply_answers_the_chosen_message(
    brebes, rt, jobs, office, ticket, receive, simulator
):
    tid = await ticket("KTP saya rusak", sender=CITIZEN)
    await receive(inbound("Dan KK saya juga", sender=CITIZEN))
    first, _ = await messages_of(rt, tid)
    html = await compose(brebes, tid, f"?quote={first.id}")
    assert 'id="quote-form"' in html and "KTP saya rusak" in html
    response = await post_form(
        brebes,
        f"/tickets/{tid}/quoted-reply",
        {"quote": str(first.id), "body": "KTP Anda sedang dicetak"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "KTP saya rusak" in response.text.split('class="quote"')[1]  # the quote is shown
    await jobs.drain()
    reply = (await messages_of(rt, tid))[-1]
    assert reply.reply_to_external_id == first.external_id
    [sent] = simulator.store.outbound()
    assert sent.reply_to == first.external_id


async def test_a_quote_of_a_message_outside_the_ticket_is_refused(brebes, rt, office, ticket):
    tid = await ticket("KTP saya rusak")
    other = await ticket("KIA anak saya", sender="6289999999999")
    [foreign] = await messages_of(rt, other)
    for quote in (str(foreign.id), "abc", "", "9" * 40):
        response = await post_form(
            brebes, f"/tickets/{tid}/quoted-reply", {"quote": quote, "body": "x"}, headers=HTMX
        )
        assert response.status_code == 400, quote
        assert "Pesan yang dikutip tidak ditemukan" in response.text
    assert [m.direction for m in await messages_of(rt, tid)] == ["in"]
    html = await compose(brebes, tid, f"?quote={foreign.id}")
    assert 'id="quote-form"' not in html


# -- read receipts -----------------------------------------------------------------------------


def known_to_simulator(simulator, message: Message) -> None:  # type: ignore[no-untyped-def]
    simulator.store.messages.append(
        SimMessage(
            id=message.external_id or "",
            phone_number_id=BREBES_WA,
            citizen=CITIZEN,
            direction="inbound",
            type="text",
            text=message.body,
            timestamp=0,
        )
    )


async def test_opening_a_ticket_marks_the_latest_message_read_once(
    brebes, client, rt, jobs, office, ticket, receive, simulator
):
    tid = await ticket("KTP saya rusak", sender=CITIZEN)
    await receive(inbound("Halo?", sender=CITIZEN))
    first, latest = await messages_of(rt, tid)
    known_to_simulator(simulator, first)
    known_to_simulator(simulator, latest)
    for _ in range(3):  # reloads, other tabs
        response = await post_form(brebes, f"/tickets/{tid}/seen", {}, headers=HTMX)
        assert response.status_code == 204
    await jobs.drain()
    assert simulator.store.read_marks == [latest.external_id]
    async with rt.sessions() as session:
        [receipt] = await session.scalars(select(ReadReceipt))
    assert (receipt.message_id, receipt.state) == (latest.id, "sent")

    await receive(inbound("Masih menunggu", sender=CITIZEN))
    newest = (await messages_of(rt, tid))[-1]
    known_to_simulator(simulator, newest)
    await post_form(brebes, f"/tickets/{tid}/seen", {}, headers=HTMX)
    await jobs.drain()
    assert simulator.store.read_marks == [latest.external_id, newest.external_id]


async def test_a_refused_read_receipt_is_recorded_and_never_retried(
    brebes, rt, jobs, office, ticket, simulator
):
    tid = await ticket("KTP saya rusak")  # a message id the simulator never saw
    await post_form(brebes, f"/tickets/{tid}/seen", {}, headers=HTMX)
    await jobs.drain()
    await post_form(brebes, f"/tickets/{tid}/seen", {}, headers=HTMX)
    await jobs.drain()
    async with rt.sessions() as session:
        [receipt] = await session.scalars(select(ReadReceipt))
    assert receipt.state == "failed" and "Unknown message_id" in (receipt.error or "")
    assert simulator.store.read_marks == []


async def test_seen_needs_the_csrf_token_and_a_visible_ticket(brebes, client, rt, office, ticket):
    tid = await ticket()
    assert (await brebes.post(f"/tickets/{tid}/seen", headers=HTMX)).status_code == 403
    other = await ticket("KIA", office="tomohon")
    response = await post_form(brebes, f"/tickets/{other}/seen", {}, headers=HTMX)
    assert response.status_code == 404
