"""Bad input and faults on the email channel, against the real servers: a dropped IMAP
connection, a renumbered folder, a huge attachment, a header injection, an unreadable mail, and
two processes wanting the same mailbox."""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import socket
import threading
import time
from email import policy
from email.message import EmailMessage

from sqlalchemy import select, update

from helpdesk.models import (
    Attachment,
    AttachmentStatus,
    ChannelCursor,
    InboundEvent,
    Message,
    Ticket,
)
from helpdesk.polling import LEASE
from helpdesk.runtime import Runtime
from tests.channels.email.conftest import CITIZEN, OFFICE_ADDRESS, events, settle, wait_for_events
from tests.channels.email.test_mailbox import mail, messages, tickets


class CuttableProxy:
    """A TCP relay between the poller and Dovecot whose connections we can cut mid-stream."""

    def __init__(self, target_port: int, delay: float = 0.01) -> None:
        self.target = target_port
        self.delay = delay
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.accepted = 0
        self.refusing = False  # the server is down: connections are closed at once
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.sockets += [client, upstream]
                self.accepted += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                time.sleep(self.delay)  # a slow link, so cuts land in the middle of the work
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self.server.close()
        self.cut()


async def test_a_lost_connection_resumes_without_duplicates_or_gaps(
    rt, jobs, mailbox, pollers, monkeypatch
):
    # One mail a fetch and a transaction, so the cuts land between mails being stored.
    monkeypatch.setattr("channels.email.poller.FETCH_BYTES", 1)
    world = await mailbox()
    proxy = CuttableProxy(world.imap.port)
    try:
        await _point_at(rt, imap_port=str(proxy.port))
        total = 40
        for i in range(total):
            world.append(mail(f"Aduan {i}", f"isi aduan {i}", message_id=f"loss{i}@warga.test"))
        pollers()
        stored_at_cut = []
        for cut_at in (5, 15, 30):  # cut while it is fetching, three times
            await wait_for_events(rt, cut_at)
            proxy.cut()
            stored_at_cut.append(await events(rt))
        await wait_for_events(rt, total)
        await asyncio.sleep(1.0)  # a duplicate would show up now
        assert await events(rt) == total
        assert stored_at_cut[0] < total and proxy.accepted >= 2  # it did reconnect mid-way
        async with rt.sessions() as session:
            uids = [int(e.headers["uid"]) for e in (await session.scalars(select(InboundEvent)))]
            cursor = await session.scalar(
                select(ChannelCursor).where(ChannelCursor.name == "imap:INBOX")
            )
        assert sorted(uids) == list(range(1, total + 1)) and cursor.value["last_uid"] == total
        await settle(rt, jobs)
        assert sorted(m.body for m in await messages(rt)) == sorted(
            f"isi aduan {i}" for i in range(total)
        )
    finally:
        proxy.close()


async def test_a_renumbered_folder_is_resynced_by_message_id(rt, jobs, mailbox, pollers):
    world = await mailbox(imap_folder="Pengaduan")
    originals = [mail(f"A{i}", f"aduan {i}", message_id=f"uv{i}@warga.test") for i in range(3)]
    for raw in originals:
        world.append(raw, folder="Pengaduan")
    loops = pollers()
    await wait_for_events(rt, 3)
    await settle(rt, jobs)
    await loops.close()
    async with rt.sessions() as session:
        before = (
            await session.scalar(
                select(ChannelCursor).where(ChannelCursor.name == "imap:Pengaduan")
            )
        ).value

    client = world.client()  # the server renumbers: the folder is recreated with the same mail
    try:
        client.delete_folder("Pengaduan")
        client.create_folder("Pengaduan")
    finally:
        client.logout()
    for raw in originals:
        world.append(raw, folder="Pengaduan")
    world.append(mail("baru", "aduan baru", message_id="uv-new@warga.test"), folder="Pengaduan")
    pollers()
    await wait_for_events(rt, 4)
    await asyncio.sleep(1.0)
    assert await events(rt) == 4  # only the new mail was stored again
    await settle(rt, jobs)
    assert len(await messages(rt)) == 4
    async with rt.sessions() as session:
        after = (
            await session.scalar(
                select(ChannelCursor).where(ChannelCursor.name == "imap:Pengaduan")
            )
        ).value
    assert after["uidvalidity"] != before["uidvalidity"] and after["last_uid"] == 4


def big_mail(size: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Siti <{CITIZEN}>"
    message["To"] = OFFICE_ADDRESS
    message["Subject"] = "Scan dokumen"
    message["Message-ID"] = f"<big{size}@warga.test>"
    message.set_content("Terlampir hasil pindai dokumen.")
    message.add_attachment(
        b"%PDF-1.4\n" + os.urandom(size - 9),
        maintype="application",
        subtype="pdf",
        filename="scan.pdf",
    )
    return message.as_bytes()


async def _attachment_after(rt, jobs, mailbox, pollers, limit):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    rt.settings = replace(rt.settings, max_attachment_bytes=limit)
    rt.adapters["email"].endpoints = replace(rt.adapters["email"].endpoints, max_media_bytes=limit)
    world = await mailbox()
    world.append(big_mail(25 * 1024 * 1024))
    pollers()
    await wait_for_events(rt, 1, timeout=60)
    await settle(rt, jobs)
    [message] = await messages(rt)
    async with rt.sessions() as session:
        [attachment] = (await session.scalars(select(Attachment))).all()
    assert message.body == "Terlampir hasil pindai dokumen." and attachment.filename == "scan.pdf"
    return attachment


async def test_a_25_mb_attachment_over_the_limit_is_refused_with_a_note(rt, jobs, mailbox, pollers):
    attachment = await _attachment_after(rt, jobs, mailbox, pollers, 16 * 1024 * 1024)
    assert attachment.status == AttachmentStatus.refused
    assert attachment.error == "larger than the attachment limit (25.0 MB > 16.0 MB)"


async def test_a_25_mb_attachment_under_the_limit_is_stored(rt, jobs, mailbox, pollers):
    attachment = await _attachment_after(rt, jobs, mailbox, pollers, 32 * 1024 * 1024)
    assert attachment.status == AttachmentStatus.stored and attachment.size == 25 * 1024 * 1024
    assert rt.storage.path(attachment.storage_key).read_bytes().startswith(b"%PDF-1.4\n")


async def test_a_header_injection_never_reaches_the_outgoing_mail(
    rt, jobs, client, seed, mailbox, pollers
):
    world = await mailbox()
    # An encoded subject that decodes to CR LF "Bcc: …", and a display name trying the same.
    world.append(
        b"From: =?utf-8?b?"
        + __import__("base64").b64encode(b"Siti\r\nBcc: x@evil.test")
        + b"?= <"
        + CITIZEN.encode()
        + b">\r\nTo: "
        + OFFICE_ADDRESS.encode()
        + b"\r\nSubject: =?utf-8?b?"
        + __import__("base64").b64encode(b"KTP\r\nBcc: victim@evil.test\r\nX-Evil: 1")
        + b"?=\r\nMessage-ID: <inj@warga.test>\r\n\r\nKTP saya hilang.\r\n"
    )
    pollers()
    await wait_for_events(rt, 1)
    await settle(rt, jobs)
    [ticket] = await tickets(rt)
    async with rt.sessions() as session, session.begin():  # and a subject edited by hand, too
        await session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(subject=ticket.subject + "\r\nCc: y@evil.test")
        )
    await client.post(
        f"/api/v1/tickets/{ticket.id}/replies",
        json={"body": "Baik.\r\nBcc: z@evil.test"},
        headers=seed.bearer("admin_brebes"),
    )
    await jobs.drain()
    [raw] = world.sent()
    sent = email.message_from_bytes(raw, policy=policy.default)
    assert sent["Bcc"] is None and sent["Cc"] is None and sent["X-Evil"] is None
    assert sent.get_all("To") == [CITIZEN]
    assert "\n" not in sent["Subject"] and "evil" in sent["Subject"]  # flattened, kept as text
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    assert b"\r\nbcc:" not in head and b"\r\ncc:" not in head and b"\r\nx-evil:" not in head


async def test_an_unreadable_mail_is_kept_flagged_and_does_not_block_the_mailbox(
    rt, jobs, mailbox, pollers
):
    world = await mailbox()
    world.append(b"\x00\xff\xfe garbage that is no mail at all \x00\r\n\r\n\xc3\x28 \x80")
    world.append(mail("KTP", "KTP hilang", message_id="after@warga.test"))
    pollers()
    await wait_for_events(rt, 2)
    await settle(rt, jobs)
    async with rt.sessions() as session:
        statuses = sorted(e.status for e in await session.scalars(select(InboundEvent)))
        bodies = {m.body: m.details for m in await session.scalars(select(Message))}
    assert statuses == ["processed", "processed"]
    assert "KTP hilang" in bodies
    flagged = [d for b, d in bodies.items() if b != "KTP hilang"]
    assert flagged and flagged[0].get("unknown_sender") is True and flagged[0].get("event_id")


async def test_two_processes_never_poll_the_same_mailbox(rt, settings, jobs, mailbox, pollers):
    world = await mailbox()
    other = Runtime.create(settings)  # a second process: its own engine and runtime
    other.queue = rt.queue
    try:
        first, second = pollers(), pollers(other)
        await asyncio.sleep(1.5)
        owners = [bool(first.loops), bool(second.loops)]
        assert sorted(owners) == [False, True]
        holder, waiting = (first, second) if owners[0] else (second, first)
        async with rt.sessions() as session:
            lease = await session.scalar(select(ChannelCursor).where(ChannelCursor.name == LEASE))
        assert lease.value["owner"] == holder.owner
        for i in range(5):
            world.append(mail(f"A{i}", f"aduan {i}", message_id=f"two{i}@warga.test"))
        await wait_for_events(rt, 5)
        await holder.close()  # a stopping worker hands the mailbox over at once
        await asyncio.sleep(1.0)
        assert waiting.loops
        world.append(mail("A5", "aduan 5", message_id="two5@warga.test"))
        await wait_for_events(rt, 6)
        await asyncio.sleep(1.0)
        assert await events(rt) == 6
    finally:
        await other.engine.dispose()


async def _point_at(rt: Runtime, **config: str) -> None:
    from helpdesk.models import ChannelAccount

    async with rt.sessions() as session, session.begin():
        account = await session.scalar(select(ChannelAccount).where(ChannelAccount.kind == "email"))
        account.config = {**account.config, **config}
