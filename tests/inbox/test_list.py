"""The ticket list: the user's offices only, filters, unread marker, pagination."""

from __future__ import annotations

from sqlalchemy import select, update

from helpdesk.db import transaction
from helpdesk.models import Membership, Role, Ticket, TicketStatus, User
from tests.conftest import _password_hash
from tests.inbox.conftest import ids_in, login, post_form


async def test_the_list_shows_only_the_users_offices_tickets(brebes, ticket):
    own = await ticket("KTP rusak", sender="6281111111111")
    other = await ticket("Surat lahir anak Tomohon", office="tomohon")
    response = await brebes.get("/")
    assert response.status_code == 200
    assert ids_in(response.text) == {own}
    assert "KTP rusak" in response.text and "Surat lahir anak Tomohon" not in response.text
    assert other not in ids_in(response.text)


async def test_a_row_shows_register_number_subject_contact_channel_status_and_time(brebes, ticket):
    tid = await ticket("KTP saya rusak, bagaimana?", name="Siti Aminah")
    html = (await brebes.get("/")).text
    assert f'href="/tickets/{tid}"' in html
    assert "ADU/BREBES/" in html
    for text in ("KTP saya rusak, bagaimana?", "Siti Aminah", "WhatsApp", "Baru", "WIB"):
        assert text in html
    assert "Pesan warga belum dibalas" in html  # the last message is the citizen's


async def test_the_office_column_and_filter_appear_for_a_user_of_several_offices(
    client, seed, ticket
):
    await ticket("Brebes", sender="6281111111111")
    await ticket("Tomohon", office="tomohon")
    await login(client, "root")
    html = (await client.get("/")).text
    assert 'id="f-office"' in html
    assert "Kabupaten Brebes" in html and "Kota Tomohon" in html
    filtered = (await client.get("/", params={"office": "tomohon"})).text
    assert "Tomohon" in filtered and ">Brebes<" not in filtered


async def test_status_filter_defaults_to_active_and_can_show_all(brebes, rt, ticket):
    open_id = await ticket("Masih diproses", sender="6281111111111")
    done_id = await ticket("Sudah selesai", sender="6282222222222")
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Ticket).where(Ticket.id == done_id).values(status=TicketStatus.resolved)
        )
    assert ids_in((await brebes.get("/")).text) == {open_id}
    assert ids_in((await brebes.get("/?status=all")).text) == {open_id, done_id}
    assert ids_in((await brebes.get("/?status=resolved")).text) == {done_id}
    assert ids_in((await brebes.get("/?status=nonsense")).text) == {open_id}


async def test_search_and_empty_states(brebes, ticket):
    empty = (await brebes.get("/")).text
    assert "Tidak ada tiket aktif" in empty
    await ticket("KTP rusak", name="Budi")
    found = (await brebes.get("/", params={"q": "budi"})).text
    assert "KTP rusak" in found
    none = (await brebes.get("/", params={"q": "tidak-ada-yang-cocok"})).text
    assert "Tidak ada tiket yang cocok dengan saringan ini." in none


async def test_cursor_pagination_links_to_the_next_page(brebes, ticket, monkeypatch):
    import inbox.list_views

    monkeypatch.setattr(inbox.list_views, "PAGE_SIZE", 2)
    made = [await ticket(f"Tiket {n}", sender=f"62811000000{n}") for n in range(3)]
    first = (await brebes.get("/?q=Tiket")).text
    assert ids_in(first) == set(made[1:])  # newest first
    assert "Berikutnya" in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = (await brebes.get(next_url.replace("&amp;", "&"))).text
    assert ids_in(second) == {made[0]}
    assert "Berikutnya" not in second and "Kembali ke awal" in second


async def test_a_bad_cursor_is_a_400_page(brebes):
    response = await brebes.get("/?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]


async def test_a_contact_without_a_name_shows_by_its_number(brebes, ticket):
    await ticket("Halo, mohon info", sender="6281299998888", name=None)
    await ticket("KTP hilang", sender="6281200001111", name="Budi Santoso")
    html = (await brebes.get("/")).text
    assert "<span>6281299998888</span>" in html  # its WhatsApp identity, loaded for it alone
    assert "<span>Budi Santoso</span>" in html


async def test_every_ticket_of_a_nameless_contact_shows_its_number(brebes, rt, ticket):
    first = await ticket("Halo, mohon info", sender="6281299998888", name=None)
    second = await ticket("KTP hilang", sender="6281200001111", name=None)
    async with transaction(rt.sessions) as session:
        contact_id = await session.scalar(select(Ticket.contact_id).where(Ticket.id == first))
        await session.execute(
            update(Ticket).where(Ticket.id == second).values(contact_id=contact_id)
        )
    html = (await brebes.get("/")).text
    assert ids_in(html) == {first, second}
    assert html.count("<span>6281299998888</span>") == 2


async def test_the_unread_mark_follows_the_last_message_to_or_from_the_citizen(brebes, ticket):
    tid = await ticket("KTP saya rusak")
    unread = f'data-ticket="{tid}"'
    html = (await brebes.get("/")).text
    assert f'<li class="ticket unread" {unread}>' in html
    await post_form(brebes, f"/tickets/{tid}/notes", {"body": "Cek arsip dulu"})
    html = (await brebes.get("/")).text
    assert f'<li class="ticket unread" {unread}>' in html  # a note is not an answer
    await post_form(brebes, f"/tickets/{tid}/reply", {"body": "Silakan ke kantor."})
    html = (await brebes.get("/")).text
    assert f'<li class="ticket" {unread}>' in html


async def test_a_confidential_subject_shows_in_the_list_only_to_those_who_may_read_it(
    client, rt, seed, ticket
):
    # The list loads each ticket with only the columns a row needs; `may_read` must still
    # see what it reads (the office among them) and answer per user.
    tid = await ticket("Pungli di loket KTP", office="tomohon")
    async with transaction(rt.sessions) as session:
        await session.execute(update(Ticket).where(Ticket.id == tid).values(confidential=True))
        user = User(username="cs_tomohon", full_name="CS Tomohon", password_hash=_password_hash())
        session.add(user)
        await session.flush()
        session.add(Membership(user_id=user.id, office_id=seed.offices["tomohon"], role=Role.cs))
    for username, readable in (("cs_tomohon", False), ("kasie_tomohon", True), ("root", True)):
        client.cookies.clear()
        assert (await login(client, username)).status_code == 303
        html = (await client.get("/")).text
        assert tid in ids_in(html), username
        assert ("Pungli di loket KTP" in html) is readable, username
