"""The ticket page: scope, the timeline, replies, notes, retries, and what htmx gets back."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from channels.base import ContentKind, MediaRef
from helpdesk.db import transaction
from helpdesk.models import Attachment, AttachmentStatus, Direction, Message, MessageStatus
from tests.inbox.conftest import HTMX, csrf_token, failed_reply, outbox_state, post_form


async def messages_of(rt, ticket_id: int) -> list[Message]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
        )
        return list(rows)


async def test_the_ticket_page_shows_the_header_and_the_timeline(brebes, ticket):
    tid = await ticket("KTP saya rusak", name="Siti Aminah", sender="6281234567890")
    response = await brebes.get(f"/tickets/{tid}")
    assert response.status_code == 200
    html = response.text
    assert "ADU/BREBES/" in html and "Baru" in html and "Kabupaten Brebes" in html
    assert "Siti Aminah" in html and "6281234567890" in html
    assert 'class="msg msg-in"' in html and "KTP saya rusak" in html
    assert f'hx-get="/tickets/{tid}/timeline?v=' in html and "every 5s" in html
    assert f'hx-post="/tickets/{tid}/reply"' in html
    assert re.search(r"<body hx-headers='\{\"x-csrftoken\": \"[0-9a-f]+\"\}'>", html)


async def test_a_ticket_of_another_office_is_404_like_a_missing_one(brebes, ticket):
    other = await ticket("Rahasia Tomohon", office="tomohon")
    for url in (f"/tickets/{other}", f"/tickets/{other}/timeline", "/tickets/999999"):
        response = await brebes.get(url)
        assert response.status_code == 404, url
        assert "Rahasia Tomohon" not in response.text
    response = await post_form(brebes, f"/tickets/{other}/reply", {"body": "hai"})
    assert response.status_code == 404
    response = await post_form(brebes, f"/tickets/{other}/notes", {"body": "hai"})
    assert response.status_code == 404


async def test_a_reply_by_form_queues_a_message_and_redirects_back(brebes, rt, ticket):
    tid = await ticket()
    response = await post_form(brebes, f"/tickets/{tid}/reply", {"body": "Silakan ke kantor."})
    assert response.status_code == 303
    reply = (await messages_of(rt, tid))[-1]
    assert response.headers["location"] == f"/tickets/{tid}#m{reply.id}"
    assert reply.direction == Direction.outbound and reply.body == "Silakan ke kantor."
    assert reply.status == MessageStatus.queued
    html = (await brebes.get(f"/tickets/{tid}")).text
    block = html.split(f'id="m{reply.id}"', 1)[1].split("</li>", 1)[0]
    assert "◷" in block and "Dalam antrean" in block
    assert "Diproses" in html  # a first answer opens the ticket


async def test_a_reply_by_htmx_returns_the_new_message(brebes, rt, ticket):
    tid = await ticket()
    response = await post_form(brebes, f"/tickets/{tid}/reply", {"body": "Halo"}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li id="m')
    assert 'class="msg msg-out"' in response.text and "Halo" in response.text
    assert "<html" not in response.text


async def test_a_reply_needs_the_csrf_token(brebes, rt, ticket):
    tid = await ticket()
    response = await brebes.post(
        f"/tickets/{tid}/reply", data={"body": "tanpa token"}, follow_redirects=False
    )
    assert response.status_code == 403
    bad = await brebes.post(
        f"/tickets/{tid}/reply",
        data={"body": "token palsu"},
        headers={"x-csrftoken": "0" * 128},
        follow_redirects=False,
    )
    assert bad.status_code == 403
    assert len(await messages_of(rt, tid)) == 1
    # The header that htmx sends (from <body hx-headers>) is enough.
    ok = await brebes.post(
        f"/tickets/{tid}/reply",
        data={"body": "dengan header"},
        headers={"x-csrftoken": await csrf_token(brebes), **HTMX},
    )
    assert ok.status_code == 200


async def test_empty_and_too_long_replies_are_refused_beside_the_form(brebes, rt, ticket):
    tid = await ticket()
    page = await post_form(brebes, f"/tickets/{tid}/reply", {"body": "x" * 4097})
    assert page.status_code == 400
    assert "Balasan terlalu panjang: 4097 karakter, paling banyak 4096." in page.text
    assert "x" * 4097 in page.text  # the text is kept for fixing
    fragment = await post_form(brebes, f"/tickets/{tid}/reply", {"body": "  "}, headers=HTMX)
    assert fragment.status_code == 400
    assert fragment.headers["hx-retarget"] == "#reply-error"
    assert "Isi pesan masih kosong." in fragment.text and "<html" not in fragment.text
    missing = await post_form(brebes, f"/tickets/{tid}/reply", {})
    assert missing.status_code == 400
    assert len(await messages_of(rt, tid)) == 1


async def test_a_note_appears_as_internal_and_is_never_queued(brebes, rt, ticket):
    tid = await ticket()
    response = await post_form(brebes, f"/tickets/{tid}/notes", {"body": "Cek NIK di SIAK."})
    assert response.status_code == 303
    note = (await messages_of(rt, tid))[-1]
    assert note.direction == Direction.note and note.channel is None
    html = (await brebes.get(f"/tickets/{tid}")).text
    block = html.split(f'id="m{note.id}"', 1)[1].split("</li>", 1)[0]
    assert "msg msg-note" in html and "Catatan internal" in block and "Cek NIK di SIAK." in block
    assert "◷" not in block
    too_long = await post_form(brebes, f"/tickets/{tid}/notes", {"body": "n" * 20001})
    assert too_long.status_code == 400 and "Catatan terlalu panjang" in too_long.text


async def test_the_timeline_escapes_what_citizens_write(brebes, ticket):
    tid = await ticket("<script>alert(1)</script>", name="<img src=x onerror=alert(2)>")
    html = (await brebes.get(f"/tickets/{tid}/timeline", headers=HTMX)).text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    page = (await brebes.get(f"/tickets/{tid}")).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page


async def test_the_timeline_poll_answers_204_when_nothing_changed(brebes, ticket, receive):
    tid = await ticket("Halo")
    first = await brebes.get(f"/tickets/{tid}/timeline", headers=HTMX)
    assert first.status_code == 200 and first.text.lstrip().startswith('<section id="timeline"')
    version = re.search(r"timeline\?v=([0-9a-f]+)", first.text).group(1)
    same = await brebes.get(f"/tickets/{tid}/timeline?v={version}", headers=HTMX)
    assert same.status_code == 204
    from tests.conftest import inbound

    await receive(inbound("Pesan kedua"))
    changed = await brebes.get(f"/tickets/{tid}/timeline?v={version}", headers=HTMX)
    assert changed.status_code == 200 and "Pesan kedua" in changed.text


async def test_a_failed_reply_shows_the_reason_and_retry_requeues_it(brebes, rt, seed, ticket):
    tid = await ticket()
    mid = await failed_reply(rt, seed, tid, code="131047", error="[131047] Re-engagement message")
    html = (await brebes.get(f"/tickets/{tid}")).text
    block = html.split(f'id="m{mid}"', 1)[1].split("</li>", 1)[0]
    assert "✗" in block and "Gagal" in block
    assert "Jendela 24 jam WhatsApp sudah tertutup" in block
    assert f'action="/messages/{mid}/retry"' in block and "Coba lagi" in block
    response = await post_form(brebes, f"/messages/{mid}/retry", {}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="m{mid}"' in response.text and "◷" in response.text
    assert await outbox_state(rt, mid) == ("queued", "pending")


async def test_retry_without_js_redirects_and_a_second_click_is_harmless(brebes, rt, seed, ticket):
    tid = await ticket()
    mid = await failed_reply(rt, seed, tid, code="190", error="[190] Error validating token")
    assert "Token akses kanal kedaluwarsa" in (await brebes.get(f"/tickets/{tid}")).text
    first = await post_form(brebes, f"/messages/{mid}/retry", {})
    assert first.status_code == 303 and first.headers["location"] == f"/tickets/{tid}#m{mid}"
    again = await post_form(brebes, f"/messages/{mid}/retry", {})
    assert again.status_code == 303
    assert (await outbox_state(rt, mid))[1] == "pending"


async def test_retry_is_scoped_to_the_users_offices(client, rt, seed, ticket):
    from tests.inbox.conftest import login

    tid = await ticket()
    mid = await failed_reply(rt, seed, tid)
    await login(client, "admin_tomohon")
    response = await post_form(client, f"/messages/{mid}/retry", {})
    assert response.status_code == 404
    assert await outbox_state(rt, mid) == ("failed", "failed")


async def test_an_unknown_error_code_shows_the_raw_error(brebes, rt, seed, ticket):
    tid = await ticket()
    await failed_reply(rt, seed, tid, code="999999", error="[999999] Something odd")
    assert "[999999] Something odd" in (await brebes.get(f"/tickets/{tid}")).text


async def test_content_kinds_are_rendered_sensibly(brebes, rt, ticket, receive):
    from tests.conftest import inbound

    tid = await ticket("Halo")
    await receive(
        inbound(
            "Foto KTP",
            kind=ContentKind.image,
            media=(MediaRef("m1", "image/jpeg", kind=ContentKind.image),),
        )
    )
    await receive(
        inbound(
            "",
            kind=ContentKind.document,
            media=(MediaRef("m2", "application/pdf", "kk.pdf", kind=ContentKind.document),),
        )
    )
    await receive(
        inbound(
            "", kind=ContentKind.audio, media=(MediaRef("m3", "audio/ogg", kind=ContentKind.audio),)
        )
    )
    await receive(
        inbound(
            "Kantor",
            kind=ContentKind.location,
            details={"latitude": -6.8712, "longitude": 109.0421, "name": "Kantor", "address": None},
        )
    )
    await receive(
        inbound(
            "",
            kind=ContentKind.contacts,
            details={"contacts": [{"name": "Ibu", "phones": ["+62 811"]}]},
        )
    )
    await receive(inbound("Ya", kind=ContentKind.interactive, details={"reply_type": "button"}))
    await receive(inbound("", kind=ContentKind.unsupported, details={"type": "poll"}))
    first = (await messages_of(rt, tid))[0]
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Message).where(Message.id == first.id).values(external_id="wamid.first")
        )
    await receive(
        inbound(
            "👍",
            kind=ContentKind.reaction,
            reply_to_external_id="wamid.first",
            details={"emoji": "👍", "removed": False},
        )
    )
    await receive(inbound("Jawab ini", reply_to_external_id="wamid.first"))
    async with transaction(rt.sessions) as session:
        rows = list(await session.scalars(select(Attachment).order_by(Attachment.id)))
        image, document, _audio = rows
        image.status, image.storage_key, image.content_type = (
            AttachmentStatus.stored,
            "ab/cd",
            "image/jpeg",
        )
        document.status, document.error = (
            AttachmentStatus.refused,
            "larger than the attachment limit",
        )

    html = (await brebes.get(f"/tickets/{tid}")).text
    assert f'<img src="/attachments/{image.id}"' in html and "Foto KTP" in html
    assert "Lampiran ditolak: larger than the attachment limit" in html
    assert "sedang diunduh" in html  # the audio is still pending
    assert "https://www.openstreetmap.org/?mlat=-6.8712&amp;mlon=109.0421" in html
    assert "-6.871200, 109.042100" in html
    assert "Ibu" in html and "+62 811" in html
    assert "Memilih: Ya" in html
    assert "Jenis pesan tidak didukung" in html and "poll" in html
    assert f'<a href="#m{first.id}">bereaksi 👍 pada pesan: Halo</a>' in html
    assert f'<a href="#m{first.id}">Membalas: Halo</a>' in html
