"""The public complaint form and status page: no login, hostile input refused, nothing leaked."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.auth import load_principal
from helpdesk.db import transaction
from helpdesk.models import Attachment, ChannelAccount, ContactIdentity, Message, Ticket
from helpdesk.outbox import queue_reply, send_item
from inbox.public_views import form_token
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA, SECRET_KEY, inbound
from tests.helpdesk.out_of_authority import AGENCY, NIK, close_as_another_agency_s
from tests.inbox.conftest import csrf_token, login

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
TEXT = "KTP-el saya belum jadi sejak tiga bulan, mohon dibantu."


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=30, delivered=30, read=None),
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


def token(age: int = 30) -> str:
    return form_token(SECRET_KEY, int(time.time()) - age)


async def submit(client, *, files=None, age: int = 30, csrf: bool = True, **fields):  # type: ignore[no-untyped-def]
    data = {"office": "brebes", "text": TEXT, "phone": "0812-3456-7890", "t": token(age)}
    data |= fields
    if csrf:
        data["_csrf_token"] = await csrf_token(client)
    return await client.post("/publik/aduan", data=data, files=files or {"x": ("", b"")})


async def tickets(rt) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Ticket))


async def test_the_form_is_light_and_lists_the_offices(client, seed):
    page = await client.get("/publik/aduan")
    assert page.status_code == 200
    assert "Kabupaten Brebes" in page.text and "Kota Tomohon" in page.text
    assert "<script" not in page.text and len(page.content) < 30_000
    assert 'name="website"' in page.text  # the honeypot, hidden from people


async def test_a_complaint_becomes_a_web_ticket_answered_on_whatsapp(
    client, rt, seed, simulator, receive
):
    response = await submit(client, files=[("photos", ("ktp.png", PNG, "image/png"))], name="Siti")
    assert response.status_code == 200, response.text
    register_no = re.search(r'id="register-no">([^<]+)<', response.text).group(1)
    assert register_no.startswith("ADU/BREBES/")
    assert "WhatsApp ke 6281234567890" in response.text

    async with transaction(rt.sessions) as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.register_no == register_no))
        account = await session.get_one(ChannelAccount, ticket.channel_account_id)
        assert (ticket.channel, account.kind, ticket.step) == ("web", "whatsapp", "admin")
        [message] = list(
            await session.scalars(select(Message).where(Message.ticket_id == ticket.id))
        )
        assert message.body == TEXT and message.channel == "web"
        [photo] = list(
            await session.scalars(select(Attachment).where(Attachment.message_id == message.id))
        )
        assert (photo.content_type, photo.status, photo.size) == ("image/png", "stored", len(PNG))
        identity = await session.scalar(
            select(ContactIdentity).where(ContactIdentity.contact_id == ticket.contact_id)
        )
        assert (identity.channel, identity.external_id) == ("whatsapp", "6281234567890")
    # The citizen has also written to the office's number, so a free answer reaches them
    # (one to a number that never wrote needs a template: tests/helpdesk/test_first_contact.py).
    await receive(inbound("Apakah KTP saya sudah jadi?", sender="6281234567890"))
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, ticket.id)
        principal = await load_principal(session, seed.users["admin_brebes"])
        _, item = await queue_reply(session, ticket, principal, "KTP-el Anda sudah dicetak.")
    assert (await send_item(rt, item.id)).state == "done"
    [sent] = simulator.store.outbound()
    await login(client, "admin_brebes")
    page = (await client.get(f"/tickets/{ticket.id}")).text
    route = re.search(r'<p class="hint" id="reply-route">([^<]+)</p>', page).group(1)
    assert "lewat WhatsApp kantor ke 6281234567890" in route
    assert (sent.citizen, sent.text) == ("6281234567890", "KTP-el Anda sudah dicetak.")


async def test_an_email_contact_is_refused_where_the_office_has_no_mailbox(client, rt, seed):
    response = await submit(client, phone="", email="warga@example.id")
    assert response.status_code == 400
    assert "belum dapat menjawab lewat kontak itu" in response.text
    assert await tickets(rt) == 0


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"website": "http://spam.example"}, "Kiriman ditolak"),
        ({"age": 0}, "terlalu cepat"),
        ({"age": 3 * 3600}, "kedaluwarsa"),
        ({"t": "123.forged"}, "kedaluwarsa"),
        ({"phone": "12345"}, "Nomor WhatsApp tidak sah"),
        ({"phone": "", "email": ""}, "Isi nomor WhatsApp atau email"),
        ({"text": "tolong"}, "terlalu pendek"),
        ({"text": "x" * 4001}, "terlalu panjang"),
        ({"office": "nowhere"}, "Pilih kantor"),
    ],
)
async def test_hostile_or_bad_forms_are_refused_and_change_nothing(
    client, rt, seed, fields, expected
):
    response = await submit(client, **fields)
    assert response.status_code == 400
    assert expected in response.text
    assert await tickets(rt) == 0


async def test_files_are_checked_by_their_bytes_and_size(client, rt, seed):
    fake = await submit(client, files=[("photos", ("ktp.png", b"MZ\x90\x00" * 100, "image/png"))])
    assert fake.status_code == 400 and "harus foto" in fake.text
    text = await submit(client, files=[("photos", ("a.jpg", b"hello world", "image/jpeg"))])
    assert text.status_code == 400
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    too_big = await submit(client, files=[("photos", ("big.png", big, "image/png"))])
    assert too_big.status_code == 400 and "terlalu besar" in too_big.text
    many = [("photos", (f"{i}.png", PNG, "image/png")) for i in range(4)]
    assert "Terlalu banyak berkas" in (await submit(client, files=many)).text
    assert await tickets(rt) == 0


async def test_no_csrf_token_no_complaint(client, rt, seed):
    await client.get("/publik/aduan")
    response = await submit(client, csrf=False)
    assert response.status_code == 403
    assert await tickets(rt) == 0


async def test_a_flood_from_one_address_is_refused(client, rt, seed):
    for _ in range(5):
        assert (await submit(client)).status_code == 200
    flood = await submit(client)
    assert flood.status_code == 429 and "Terlalu banyak pengaduan" in flood.text
    assert await tickets(rt) == 5


# -- the status page -------------------------------------------------------------------------
async def status(client, register: str, digits: str):  # type: ignore[no-untyped-def]
    data = {"_csrf_token": await csrf_token(client), "register": register, "digits": digits}
    return await client.post("/publik/status", data=data)


async def answered_ticket(client, rt, seed, phone: str, answer: str) -> str:  # type: ignore[no-untyped-def]
    response = await submit(client, phone=phone)
    register_no = re.search(r'id="register-no">([^<]+)<', response.text).group(1)
    async with transaction(rt.sessions) as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.register_no == register_no))
        principal = await load_principal(session, seed.users["admin_brebes"])
        await queue_reply(session, ticket, principal, answer)
    return register_no


async def test_the_status_page_shows_status_and_answer_only(client, rt, seed):
    mine = await answered_ticket(client, rt, seed, "081234561111", "Silakan ambil di loket 2.")
    page = await status(client, mine.lower(), "1111")
    assert page.status_code == 200
    assert "Silakan ambil di loket 2." in page.text and mine in page.text
    assert "sedang diproses" in page.text
    assert TEXT not in page.text and "6281234561111" not in page.text  # not the complaint


async def test_wrong_digits_and_no_such_ticket_look_the_same(client, rt, seed):
    mine = await answered_ticket(client, rt, seed, "081234561111", "Jawaban untuk Siti.")
    other = await answered_ticket(client, rt, seed, "081299992222", "Jawaban rahasia Budi.")
    wrong = await status(client, other, "1111")
    missing = await status(client, "ADU/BREBES/2026/999999", "1111")
    assert wrong.status_code == missing.status_code == 404
    error = re.compile(r'<p class="error"[^>]*>([^<]+)</p>')
    assert error.search(wrong.text).group(1) == error.search(missing.text).group(1)
    assert "rahasia" not in wrong.text and "Siti" not in wrong.text
    assert mine not in wrong.text


async def test_guessing_a_register_numbers_digits_is_refused(client, rt, seed):
    mine = await answered_ticket(client, rt, seed, "081234561111", "Sudah selesai.")
    for guess in ("0000", "0001", "0002", "0003", "0004"):
        assert (await status(client, mine, guess)).status_code == 404
    locked = await status(client, mine, "1111")  # even the right digits, now
    assert locked.status_code == 429 and "Sudah selesai" not in locked.text
    # A number that does not exist is locked alike, so a refusal tells nothing.
    for guess in ("0000", "0001", "0002", "0003", "0004"):
        await status(client, "ADU/BREBES/2026/888888", guess)
    assert (await status(client, "ADU/BREBES/2026/888888", "1111")).status_code == 429


async def test_one_address_cannot_walk_through_many_numbers(client, rt, seed):
    codes = []
    for n in range(20):
        codes.append((await status(client, f"ADU/BREBES/2026/{n:06d}", "1234")).status_code)
    assert set(codes) == {404}
    assert (await status(client, "ADU/BREBES/2026/000777", "1234")).status_code == 429


# -- a report closed as another agency's ("bukan kewenangan") -------------------------------
async def _ticket_id(rt, register_no: str) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.scalar(select(Ticket.id).where(Ticket.register_no == register_no))


async def test_a_report_closed_as_another_agency_s_tells_the_citizen_where_to_go(client, rt, seed):
    mine = await answered_ticket(client, rt, seed, "081234561111", "Kami teruskan.")
    await close_as_another_agency_s(rt, await _ticket_id(rt, mine))
    page = await status(client, mine, "1111")
    assert page.status_code == 200
    shown = re.search(r'id="status-out-of-authority">([^<]+)<', page.text).group(1)
    assert "bukan kewenangan Dukcapil" in shown and "sudah ditutup" in shown
    agency = re.search(r'id="status-agency">([^<]+)<', page.text).group(1)
    # The agency named, escaped, its NIK masked like every text the citizen is shown.
    assert agency.startswith(AGENCY + " &lt;b&gt;Brebes&lt;/b&gt;")
    assert "<b>Brebes" not in page.text and NIK not in page.text and NIK[-4:] in agency
    assert "Pengaduan Anda sudah ditutup." not in page.text  # not the plain "closed"

    client.cookies.set("lang", "en")
    english = await status(client, mine, "1111")
    assert "outside Dukcapil&#39;s authority" in english.text
    assert "The agency responsible" in english.text and AGENCY in english.text


async def test_an_ordinary_closed_report_is_just_closed(client, rt, seed):
    mine = await answered_ticket(client, rt, seed, "081234561111", "Sudah selesai.")
    await close_as_another_agency_s(rt, await _ticket_id(rt, mine), None)
    page = await status(client, mine, "1111")
    assert page.status_code == 200 and "Pengaduan Anda sudah ditutup." in page.text
    assert "status-out-of-authority" not in page.text and "status-agency" not in page.text
    assert "bukan kewenangan" not in page.text


async def test_a_confidential_report_closed_as_another_agency_s_is_not_shown(client, rt, seed):
    mine = await answered_ticket(client, rt, seed, "081234561111", "Kami teruskan.")
    await close_as_another_agency_s(rt, await _ticket_id(rt, mine), confidential=True)
    page = await status(client, mine, "1111")
    assert page.status_code == 404
    assert AGENCY not in page.text and "bukan kewenangan" not in page.text
