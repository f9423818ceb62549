"""Media a citizen sends are fetched (id -> url -> bytes), typed by their bytes, and limited."""

from __future__ import annotations

import base64
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.attachments import fetch_attachment
from helpdesk.db import transaction
from helpdesk.ingest import process_event
from helpdesk.models import Attachment, InboundEvent
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
