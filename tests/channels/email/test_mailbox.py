"""The email channel end to end against real servers: mail appended to a Dovecot mailbox is
polled into tickets, replies leave through a real SMTP server and their answers thread back."""

from __future__ import annotations

import asyncio
import email
from email import policy
from pathlib import Path

from sqlalchemy import select

from helpdesk.models import (
    AccountHealth,
    ChannelAccount,
    ChannelCursor,
    InboundEvent,
    Message,
    MessageStatus,
    Ticket,
)
from tests.channels.email.conftest import CITIZEN, OFFICE_ADDRESS, settle, wait_for_events

CORPUS = Path(__file__).parent / "corpus"


def mail(
    subject: str,
    body: str,
    *,
    sender: str = CITIZEN,
    message_id: str,
    in_reply_to: str | None = None,
    extra: str = "",
) -> bytes:
    head = (
        f"From: Siti Aminah <{sender}>\r\nTo: {OFFICE_ADDRESS}\r\nSubject: {subject}\r\n"
        f"Date: Mon, 2 Mar 2026 08:00:00 +0700\r\nMessage-ID: <{message_id}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    )
    if in_reply_to:
        head += f"In-Reply-To: <{in_reply_to}>\r\nReferences: <{in_reply_to}>\r\n"
    return (head + extra + "\r\n" + body + "\r\n").encode()


async def tickets(rt):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.execute(select(Ticket).order_by(Ticket.id))
        return list(rows.scalars())


async def messages(rt, ticket_id=None):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        query = select(Message).order_by(Message.id)
        if ticket_id is not None:
            query = query.where(Message.ticket_id == ticket_id)
        return list((await session.execute(query)).scalars())


async def poll_until(rt, pollers, jobs, count):  # type: ignore[no-untyped-def]
    await wait_for_events(rt, count)
    await settle(rt, jobs)


async def test_a_mailed_complaint_is_answered_and_the_answer_threads_back(
    rt, jobs, client, seed, mailbox, pollers
):
    world = await mailbox()
    world.append(
        (CORPUS / "gmail_plain_id.eml")
        .read_bytes()
        .replace(b"siti.aminah@gmail.com", CITIZEN.encode())
    )
    pollers()
    await poll_until(rt, pollers, jobs, 1)
    [ticket] = await tickets(rt)
    assert ticket.channel == "email" and ticket.subject == "KTP-el rusak, mohon penggantian"
    [first] = await messages(rt)
    assert first.body.startswith("Selamat pagi Bapak/Ibu,") and first.external_id.endswith(
        "@mail.gmail.com"
    )

    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/replies",
        json={"body": "Silakan datang membawa KK asli."},
        headers=seed.bearer("admin_brebes"),
    )
    assert response.status_code == 202
    await jobs.drain()
    [sent] = [email.message_from_bytes(m, policy=policy.default) for m in world.sent()]
    assert sent["To"] == CITIZEN and sent["From"] == f"Dukcapil Brebes <{OFFICE_ADDRESS}>"
    assert sent["Subject"] == f"Re: KTP-el rusak, mohon penggantian [Reg: {ticket.register_no}]"
    assert sent["In-Reply-To"] == f"<{first.external_id}>"
    assert sent["References"] == f"<{first.external_id}>"
    reply = (await messages(rt))[-1]
    assert reply.status == MessageStatus.sent and sent["Message-ID"] == f"<{reply.external_id}>"
    assert sent.get_content().strip() == "Silakan datang membawa KK asli."

    # The citizen's client threads by In-Reply-To even though the subject changed.
    world.append(
        mail(
            "jawaban",
            "Baik, terima kasih.",
            message_id="r1@warga.test",
            in_reply_to=reply.external_id,
        )
    )
    # A register number alone (headers dropped by the client) also finds the ticket.
    world.append(mail(f"Soal {ticket.register_no}", "Kapan selesai?", message_id="r2@warga.test"))
    # A fresh mail with neither is a new matter: a new ticket, although the first is open.
    world.append(mail("Akta kelahiran", "Syarat akta kelahiran?", message_id="n1@warga.test"))
    # Someone else quoting the (sequential, guessable) register number gets their own ticket.
    world.append(
        mail(
            f"Re: [Reg: {ticket.register_no}]",
            "Saya juga",
            sender="lain@warga.test",
            message_id="x@warga.test",
        )
    )
    await poll_until(rt, pollers, jobs, 5)
    first_ticket, *others = await tickets(rt)
    # (jobs run concurrently: the order of the last four is not fixed)
    assert sorted(m.body for m in await messages(rt, first_ticket.id)) == sorted(
        [first.body, "Silakan datang membawa KK asli.", "Baik, terima kasih.", "Kapan selesai?"]
    )
    assert sorted(t.subject for t in others) == [
        "Akta kelahiran",
        f"Re: [Reg: {ticket.register_no}]",
    ]
    assert len({t.register_no for t in await tickets(rt)}) == 3


async def test_mail_stays_on_the_server_unread_or_moves_to_the_processed_folder(
    rt, jobs, mailbox, pollers
):
    world = await mailbox(processed_folder="Diproses")
    world.append(mail("KTP", "KTP hilang", message_id="m1@warga.test"))
    pollers()
    await poll_until(rt, pollers, jobs, 1)
    client = world.client()
    try:
        for _ in range(50):
            client.select_folder("INBOX")
            if not client.search(["ALL"]):
                break
            await asyncio.sleep(0.1)
        assert client.search(["ALL"]) == []
        client.select_folder("Diproses", readonly=True)
        [uid] = client.search(["ALL"])
        assert b"\\Seen" not in client.get_flags([uid])[uid]  # BODY.PEEK: still unread
    finally:
        client.logout()


async def test_a_bounce_fails_the_reply_with_the_servers_reason(
    rt, jobs, client, seed, mailbox, pollers
):
    world = await mailbox()
    world.append(mail("KTP", "KTP hilang", message_id="m1@warga.test"))
    pollers()
    await poll_until(rt, pollers, jobs, 1)
    [ticket] = await tickets(rt)
    await client.post(
        f"/api/v1/tickets/{ticket.id}/replies",
        json={"body": "Baik."},
        headers=seed.bearer("admin_brebes"),
    )
    await jobs.drain()
    reply = (await messages(rt))[-1]
    dsn = (
        (CORPUS / "dsn_postfix_bounce.eml")
        .read_bytes()
        .replace(
            b"helpdesk.deadbeefdeadbeefdeadbeefdeadbeef@brebeskab.go.id", reply.external_id.encode()
        )
    )
    world.append(dsn)
    world.append((CORPUS / "auto_reply_id.eml").read_bytes())
    await poll_until(rt, pollers, jobs, 3)
    reply = (await messages(rt))[-1]
    assert reply.status == MessageStatus.failed and reply.error_code == "bounce"
    assert "5.1.1" in reply.error and "User unknown" in reply.error
    assert len(await tickets(rt)) == 1 and len(await messages(rt)) == 2  # nothing else fed


async def test_refused_credentials_mark_the_mailbox_as_needing_attention(rt, mailbox, pollers):
    await mailbox(imap_password="salah")
    pollers()
    for _ in range(100):
        async with rt.sessions() as session:
            account = await session.scalar(
                select(ChannelAccount).where(ChannelAccount.kind == "email")
            )
        if account.health == AccountHealth.needs_attention:
            break
        await asyncio.sleep(0.1)
    assert account.health == AccountHealth.needs_attention
    assert "IMAP login refused" in (account.last_error or "")


async def test_new_account_reads_only_its_backfill_window(rt, jobs, mailbox, pollers):
    from datetime import UTC, datetime, timedelta

    world = await mailbox(backfill_days=3)
    world.append(
        mail("lama", "dua minggu lalu", message_id="old@warga.test"),
        when=datetime.now(UTC) - timedelta(days=14),
    )
    world.append(
        mail("baru", "kemarin", message_id="new@warga.test"),
        when=datetime.now(UTC) - timedelta(days=1),
    )
    pollers()
    await poll_until(rt, pollers, jobs, 1)
    world.append(mail("sekarang", "hari ini", message_id="now@warga.test"))
    await poll_until(rt, pollers, jobs, 2)
    assert [m.body for m in await messages(rt)] == ["kemarin", "hari ini"]


async def test_the_cursor_is_stored_with_each_mail(rt, jobs, mailbox, pollers):
    world = await mailbox()
    for i in range(3):
        world.append(mail(f"s{i}", f"isi {i}", message_id=f"c{i}@warga.test"))
    pollers()
    await poll_until(rt, pollers, jobs, 3)
    async with rt.sessions() as session:
        cursor = await session.scalar(
            select(ChannelCursor).where(ChannelCursor.name == "imap:INBOX")
        )
        uids = [e.headers["uid"] for e in (await session.execute(select(InboundEvent))).scalars()]
    assert cursor.value["last_uid"] == 3 and sorted(uids) == ["1", "2", "3"]
