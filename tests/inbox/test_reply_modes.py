"""The reply box on a Facebook comment: public or private reply, chosen from what the channel
offers now; and the marks an edited or removed comment shows in the timeline."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from channels.base import MessageChange, MessageUpdate
from helpdesk.db import transaction
from helpdesk.message_updates import apply_update
from helpdesk.models import Message
from tests.channels.meta.social_fixtures import PAGE_ID, social_seed
from tests.conftest import inbound
from tests.inbox.conftest import HTMX, login, post_form

__all__ = ["social_seed"]
COMMENT = "555000111_9001"


async def comment_ticket(receive) -> int:  # type: ignore[no-untyped-def]
    received = await receive(
        inbound(
            "Jadwal perekaman KTP-el kapan?",
            sender="6001002003004005",
            account=PAGE_ID,
            external_id=COMMENT,
            details={"surface": "facebook_comment", "post_id": f"{PAGE_ID}_1"},
        ),
        "facebook",
    )
    return received.ticket_id


async def test_a_comment_ticket_offers_public_and_private_replies(client, receive, social_seed):
    ticket_id = await comment_ticket(receive)
    await login(client, "admin_tomohon")
    page = await client.get(f"/tickets/{ticket_id}")
    assert f'hx-get="/tickets/{ticket_id}/reply-modes"' in page.text
    fragment = (await client.get(f"/tickets/{ticket_id}/reply-modes", headers=HTMX)).text
    assert 'value="public_comment" checked' in fragment
    assert 'value="private_reply"' in fragment and 'value="message"' not in fragment
    assert 'id="reply-window"' in fragment


async def test_the_chosen_way_is_queued_with_the_comment_it_answers(
    rt, client, receive, social_seed
):
    ticket_id = await comment_ticket(receive)
    await login(client, "admin_tomohon")
    sent = await post_form(
        client,
        f"/tickets/{ticket_id}/reply",
        {"body": "Kami kirim detailnya lewat pesan", "reply_mode": "private_reply"},
    )
    assert sent.status_code == 303
    refused = await post_form(
        client, f"/tickets/{ticket_id}/reply", {"body": "x", "reply_mode": "carrier_pigeon"}
    )
    assert refused.status_code == 400 and "tidak tersedia untuk tiket ini" in refused.text
    async with rt.sessions() as session:
        [reply] = await session.scalars(select(Message).where(Message.direction == "out"))
    assert (reply.reply_to_external_id, reply.details["reply_mode"]) == (COMMENT, "private_reply")


async def test_without_a_choice_a_comment_is_answered_publicly(rt, client, receive, social_seed):
    ticket_id = await comment_ticket(receive)
    await login(client, "admin_tomohon")
    await post_form(client, f"/tickets/{ticket_id}/reply", {"body": "Setiap hari kerja"})
    async with rt.sessions() as session:
        [reply] = await session.scalars(select(Message).where(Message.direction == "out"))
    assert reply.details["reply_mode"] == "public_comment"


async def test_an_edited_and_removed_comment_is_marked_in_the_timeline(
    rt, client, receive, social_seed
):
    ticket_id = await comment_ticket(receive)
    now = datetime.now(UTC)
    async with transaction(rt.sessions) as session:
        edit = MessageUpdate(PAGE_ID, COMMENT, MessageChange.edited, now, "Jadwal KIA kapan?")
        await apply_update(session, "facebook", edit)
        await apply_update(
            session, "facebook", MessageUpdate(PAGE_ID, COMMENT, MessageChange.removed, now)
        )
    await login(client, "admin_tomohon")
    page = (await client.get(f"/tickets/{ticket_id}")).text
    assert "Jadwal KIA kapan?" in page
    assert "Diubah" in page and "Dihapus oleh warga" in page and "Komentar" in page
    assert 'title="Jadwal perekaman KTP-el kapan?' in page  # the earlier text, kept


async def test_a_messenger_ticket_shows_its_window_and_no_choice(client, receive, social_seed):
    received = await receive(
        inbound(
            "KTP saya hilang",
            sender="7001002003004005",
            account=PAGE_ID,
            details={"surface": "messenger"},
        ),
        "facebook",
    )
    await login(client, "admin_tomohon")
    fragment = (await client.get(f"/tickets/{received.ticket_id}/reply-modes", headers=HTMX)).text
    assert "Jendela balasan terbuka sampai" in fragment
    assert 'type="radio"' not in fragment


async def test_a_whatsapp_ticket_has_a_single_way_and_no_choice(client, ticket, social_seed):
    ticket_id = await ticket(office="tomohon")
    await login(client, "admin_tomohon")
    fragment = (await client.get(f"/tickets/{ticket_id}/reply-modes", headers=HTMX)).text
    assert 'type="radio"' not in fragment
