"""Telegram down or refusing: sends are retried through the outbox, nothing is lost, and the
ticket shows what is pending."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from helpdesk import outbox
from helpdesk.auth import load_principal
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount, Message, OutboxItem, Ticket, utcnow
from helpdesk.workflow.engine import apply_action
from tests.channels.telegram.conftest import BREBES_GROUP
from tests.channels.telegram.helpers import QUESTION, brebes_ticket, consultation_of, notes
from tests.inbox.conftest import login, post_form


async def due_now(rt) -> list[int]:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        await session.execute(update(OutboxItem).values(next_attempt_at=utcnow() - timedelta(1)))
        return list(
            await session.scalars(select(OutboxItem.id).where(OutboxItem.state == "pending"))
        )


async def consult_without_queue(rt, seed, ticket_id: int) -> int:  # type: ignore[no-untyped-def]
    """Open the consultation through the engine and hand back its outbox item, unqueued: the
    test sends it itself, on both job backends alike."""
    async with transaction(rt.sessions) as session:
        principal = await load_principal(session, seed.users["admin_brebes"])
        ticket = await session.get_one(Ticket, ticket_id)
        applied = await apply_action(
            session, ticket, principal, "konsultasi", {"question": QUESTION}
        )
    [item_id] = applied.outbox_items
    return item_id


async def test_a_consultation_summary_waits_out_an_outage_and_arrives_once(
    client, rt, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    telegram_sim.fault("sendMessage", 502, count=1)
    telegram_sim.fault("sendMessage", 429, count=1, retry_after=7)
    ticket_id = await brebes_ticket(receive)
    item_id = await consult_without_queue(rt, seed, ticket_id)

    first = await outbox.send_item(rt, item_id)
    assert first.state == "pending"
    [opening] = await notes(rt, ticket_id)
    assert opening.status == "queued" and "Telegram" in (opening.error or "")
    ticket_page = await client.get(
        f"/api/v1/tickets/{ticket_id}/messages", headers=seed.bearer("admin_brebes")
    )
    [shown] = [m for m in ticket_page.json()["items"] if m["id"] == opening.id]
    assert shown["status"] == "queued" and shown["error"]
    assert (await login(client, "admin_brebes")).status_code == 303
    page = (await client.get(f"/tickets/{ticket_id}")).text
    assert "Menunggu terkirim ke grup admin Telegram" in page

    await due_now(rt)
    second = await outbox.send_item(rt, item_id)
    assert second.state == "pending" and second.retry_in is not None and second.retry_in >= 7
    await due_now(rt)
    assert (await outbox.send_item(rt, item_id)).state == "done"

    assert len(telegram_sim.store.topics[BREBES_GROUP]) == 1  # the topic was not made twice
    [summary] = telegram_sim.store.sent_by_bot(BREBES_GROUP)
    consultation = await consultation_of(rt, ticket_id)
    assert consultation.external_ref == f"topic:{BREBES_GROUP}:{summary['message_thread_id']}"
    async with rt.sessions() as session:
        sent = await session.get_one(Message, opening.id)
    assert sent.status == "sent" and sent.error is None


async def test_a_refused_bot_token_fails_the_post_and_flags_the_account(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    telegram_sim.fault("*", 401, count=-1)
    ticket_id = await brebes_ticket(receive)
    item_id = await consult_without_queue(rt, seed, ticket_id)
    assert (await outbox.send_item(rt, item_id)).state == "failed"
    [opening] = await notes(rt, ticket_id)
    assert opening.status == "failed" and opening.error_code == "invalid_token"
    async with rt.sessions() as session:
        account = (
            await session.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.kind == "telegram",
                    ChannelAccount.office_id == seed.offices["brebes"],
                )
            )
        ).one()
    assert account.health == "needs_attention"
    assert "secret-part" not in (opening.error or "") + (account.last_error or "")

    # The token is fixed: the admin posts it again from the ticket page.
    telegram_sim.store.clear_faults()
    assert (await login(client, "admin_brebes")).status_code == 303
    page = (await client.get(f"/tickets/{ticket_id}")).text
    assert f"/messages/{opening.id}/retry-mirror" in page
    retried = await post_form(client, f"/messages/{opening.id}/retry-mirror", {})
    assert retried.status_code == 303
    await jobs.drain()
    [summary] = telegram_sim.store.sent_by_bot(BREBES_GROUP)
    assert "Konsultasi tiket" in summary["text"]
