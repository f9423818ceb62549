"""Media a citizen sends are fetched (id -> url -> bytes), typed by their bytes, and limited."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import httpx
import pytest
from sqlalchemy import event, select

from channels.base import PlatformEndpoints
from channels.email.parse import envelope
from channels.registry import build_adapters
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.attachments import fetch_attachment
from helpdesk.db import transaction
from helpdesk.ingest import process_event
from helpdesk.models import Attachment, InboundEvent
from helpdesk.offices import apply_offices, parse_offices
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WINDOWS_EXE = b"MZ\x90\x00" + b"\x00" * 200


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    return serve_whatsapp_simulator(
        SimulatorConfig(
            numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
            app_secret=APP_SECRET,
            webhook_url=webhook_receiver.url,
            status_delays=StatusDelays(read=None),
        )
    )


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


class HeldJobs:
    """Queues nothing: these tests fetch each attachment themselves, after setting the scene
    (a limit, an expired media id), so the job ingest queues must not run first."""

    async def enqueue(self, *args: object, **kwargs: object) -> None:
        pass

    async def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def held_jobs(rt) -> None:  # type: ignore[no-untyped-def]
    rt.queue = HeldJobs()


async def citizen_sends(rt, simulator, receiver, content: bytes, mime: str, kind="image", **extra):  # type: ignore[no-untyped-def]
    """The citizen sends a file; the webhook Meta would deliver is processed by the helpdesk."""
    before = len(receiver.requests)
    httpx.post(  # noqa: ASYNC210 - the simulator answers at once; a test helper
        f"{simulator.base_url}/_sim/inbound",
        json={
            "phone_number_id": BREBES_WA,
            "from": "6281234567890",
            "type": kind,
            "content_base64": base64.b64encode(content).decode(),
            "mime_type": mime,
            **extra,
        },
    ).raise_for_status()
    body = receiver.wait_for(before + 1)[-1].body
    async with transaction(rt.sessions) as session:
        event = InboundEvent(channel="whatsapp", body=body)
        session.add(event)
        await session.flush()
        event_id = event.id
    await process_event(rt, event_id)
    async with rt.sessions() as session:
        return (await session.scalars(select(Attachment).order_by(Attachment.id.desc()))).first()


async def stored(rt, attachment_id: int) -> Attachment:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(Attachment, attachment_id)


async def test_a_photo_is_stored_under_the_data_dir_with_its_detected_type(
    rt, seed, simulator, webhook_receiver
):
    attachment = await citizen_sends(rt, simulator, webhook_receiver, PNG, "image/png")
    assert await fetch_attachment(rt, attachment.id) == "stored"
    attachment = await stored(rt, attachment.id)
    assert (attachment.content_type, attachment.size) == ("image/png", len(PNG))
    path = rt.storage.path(attachment.storage_key)
    assert path.read_bytes() == PNG
    assert path.is_relative_to(rt.settings.data_dir)


async def test_a_document_keeps_its_file_name(rt, seed, simulator, webhook_receiver):
    attachment = await citizen_sends(
        rt,
        simulator,
        webhook_receiver,
        PDF,
        "application/pdf",
        kind="document",
        filename="surat-pindah.pdf",
    )
    await fetch_attachment(rt, attachment.id)
    attachment = await stored(rt, attachment.id)
    assert (attachment.filename, attachment.content_type) == ("surat-pindah.pdf", "application/pdf")


async def test_the_bytes_decide_the_type_not_the_claim(rt, seed, simulator, webhook_receiver):
    attachment = await citizen_sends(rt, simulator, webhook_receiver, WINDOWS_EXE, "image/jpeg")
    assert await fetch_attachment(rt, attachment.id) == "refused"
    attachment = await stored(rt, attachment.id)
    assert attachment.storage_key is None and "not accepted" in attachment.error


async def test_a_file_over_the_limit_is_refused_with_a_reason(
    rt, seed, simulator, webhook_receiver
):
    attachment = await citizen_sends(
        rt, simulator, webhook_receiver, PNG + b"\0" * 4096, "image/png"
    )
    limited = replace(rt.settings.endpoints, max_media_bytes=1024)
    rt.adapters["whatsapp"].endpoints = limited
    assert await fetch_attachment(rt, attachment.id) == "refused"
    assert (await stored(rt, attachment.id)).error


async def test_media_the_platform_no_longer_has_fail_visibly(rt, seed, simulator, webhook_receiver):
    attachment = await citizen_sends(rt, simulator, webhook_receiver, PNG, "image/png")
    simulator.store.media.clear()  # media ids expire after 7 days on WhatsApp
    assert await fetch_attachment(rt, attachment.id) == "failed"
    assert (await stored(rt, attachment.id)).error


# -- media inside the stored payload: a mail's attachments --------------------------------------

MAILBOX = "dukcapil@sukamara.test"
MAIL_OFFICE = f"""
[[office]]
code = "sukamara"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sukamara"
sop = "sukamara"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "email"
address = "{MAILBOX}"
imap_host = "127.0.0.1"
imap_user = "dukcapil"
imap_password = "rahasia"
smtp_host = "127.0.0.1"
"""


def mail_with(sender: str, *files: tuple[str, str, bytes]) -> bytes:
    """A citizen's mail with `files` (name, type, bytes), as the poller stores it."""
    mail = EmailMessage()
    mail["From"] = f"Warga <{sender}>"
    mail["To"] = MAILBOX
    mail["Subject"] = "Dokumen persyaratan"
    mail["Message-ID"] = make_msgid(domain="warga.test")
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail.set_content("Berikut dokumen saya.")
    for name, mime, content in files:
        maintype, subtype = mime.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return envelope(MAILBOX, datetime.now(UTC)) + mail.as_bytes()


async def mails_received(rt, *raws: bytes) -> tuple[list[int], dict[int, Attachment]]:  # type: ignore[no-untyped-def]
    """The mails' events, stored and processed by the drain; their attachments, by id."""
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(MAIL_OFFICE))
        events = [InboundEvent(channel="email", body=raw) for raw in raws]
        session.add_all(events)
        await session.flush()
        event_ids = [e.id for e in events]
    for event_id in event_ids:
        assert await process_event(rt, event_id) == "processed"
    async with rt.sessions() as session:
        found = await session.scalars(select(Attachment).order_by(Attachment.id))
        return event_ids, {a.id: a for a in found}


async def stored_files(rt, attachment_ids) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    files = {}
    for attachment_id in attachment_ids:
        attachment = await stored(rt, attachment_id)
        assert attachment.status == "stored", attachment.error
        files[attachment.filename] = rt.storage.path(attachment.storage_key).read_bytes()
    return files


@contextmanager
def statements(rt) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every statement sent meanwhile, on the writer and on the readers."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    engines = [e.sync_engine for e in (rt.engine, rt.read_engine) if e is not None]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def test_the_files_of_a_mail_read_at_ingest_are_stored_without_loading_the_mail(rt):
    _, attachments = await mails_received(
        rt,
        mail_with(
            "siti@warga.test", ("ktp.png", "image/png", PNG), ("kk.pdf", "application/pdf", PDF)
        ),
    )
    with statements(rt) as sent:
        for attachment_id in attachments:
            assert await fetch_attachment(rt, attachment_id) == "stored"
    assert sent and not [s for s in sent if "inbound_events" in s]
    assert await stored_files(rt, attachments) == {"ktp.png": PNG, "kk.pdf": PDF}


async def test_after_a_restart_the_stored_mail_is_read_again_for_the_right_bytes(rt):
    _, attachments = await mails_received(
        rt,
        mail_with("siti@warga.test", ("ktp.png", "image/png", PNG)),
        mail_with(
            "budi@warga.test", ("surat.pdf", "application/pdf", PDF), ("foto.png", "image/png", PNG)
        ),
    )
    rt.adapters = build_adapters(rt.settings.endpoints)  # a new process: nothing read yet
    for attachment_id in attachments:
        assert await fetch_attachment(rt, attachment_id) == "stored"
    assert await stored_files(rt, attachments) == {
        "ktp.png": PNG,
        "surat.pdf": PDF,
        "foto.png": PNG,
    }


async def test_a_file_whose_stored_mail_is_gone_fails_with_a_reason(rt):
    [event_id], attachments = await mails_received(
        rt, mail_with("siti@warga.test", ("ktp.png", "image/png", PNG))
    )
    rt.adapters = build_adapters(rt.settings.endpoints)
    async with transaction(rt.sessions) as session:
        await session.delete(await session.get_one(InboundEvent, event_id))
    [attachment_id] = attachments
    assert await fetch_attachment(rt, attachment_id) == "failed"
    assert "gone" in (await stored(rt, attachment_id)).error


async def test_a_burst_of_jobs_stores_each_file_in_its_own_row(rt):
    files = [
        (f"dokumen-{n}.pdf", "application/pdf", PDF + b"%" + bytes([65 + n])) for n in range(6)
    ]
    _, attachments = await mails_received(
        rt, *(mail_with(f"warga{n}@warga.test", *files[2 * n : 2 * n + 2]) for n in range(3))
    )
    outcomes = await asyncio.gather(*(fetch_attachment(rt, a) for a in attachments))
    assert outcomes == ["stored"] * 6
    assert await stored_files(rt, attachments) == {name: content for name, _, content in files}


async def test_a_job_takes_along_the_files_its_process_holds_and_leaves_the_rest(rt):
    _, old_files = await mails_received(
        rt, mail_with("lama@warga.test", ("lama.pdf", "application/pdf", PDF + b"%lama"))
    )
    rt.adapters = build_adapters(rt.settings.endpoints)  # restarted since: that mail is not held
    _, files = await mails_received(
        rt,
        mail_with("siti@warga.test", ("ktp.png", "image/png", PNG)),
        mail_with("budi@warga.test", ("kk.pdf", "application/pdf", PDF)),
    )
    new = [a for a in files if a not in old_files]
    assert await fetch_attachment(rt, new[0]) == "stored"
    assert await stored_files(rt, new) == {"ktp.png": PNG, "kk.pdf": PDF}
    [left] = old_files
    assert (await stored(rt, left)).status == "pending"  # its own job reads the stored mail

    with statements(rt) as sent:  # the job of a file taken along finds it done
        assert await fetch_attachment(rt, new[1]) == "stored"
    assert sent == []
    assert await fetch_attachment(rt, left) == "stored"
    assert await stored_files(rt, [left]) == {"lama.pdf": PDF + b"%lama"}
