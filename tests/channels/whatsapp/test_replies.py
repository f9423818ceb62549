"""The WhatsApp adapter's replies beyond text, against the simulator over real HTTP:
approved templates (listed, sent, refused as Meta refuses them), uploaded media, quotes and
read receipts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels.base import (
    AccountConfig,
    ContentKind,
    OutboundMedia,
    OutboundMessage,
    OutboundTemplate,
    PermanentError,
    PlatformEndpoints,
)
from channels.whatsapp.adapter import WhatsAppAdapter
from channels.whatsapp.simulator.sim_templates import SimTemplate
from tests.simulators import NUMBERS, SimulatorHandle

OFFICE = NUMBERS[0]
CITIZEN = "6281234567890"
WABA = "102290129340398"  # the simulator's default business account
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"%" * 64 + b"\n%%EOF\n"


@pytest.fixture
def adapter(whatsapp_simulator: SimulatorHandle) -> WhatsAppAdapter:
    return WhatsAppAdapter(
        PlatformEndpoints(graph_api_url=whatsapp_simulator.graph_url, timeout_seconds=5)
    )


def account(**extra: str) -> AccountConfig:
    values = {"access_token": OFFICE.access_token, "business_account_id": WABA, **extra}
    return AccountConfig(OFFICE.phone_number_id, values)


def citizen_writes(sim: SimulatorHandle, text: str = "Halo, KTP saya belum jadi") -> str:
    response = httpx.post(
        f"{sim.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN, "text": text},
    )
    response.raise_for_status()
    return str(response.json()["id"])


def reply(**fields: object) -> OutboundMessage:
    return OutboundMessage(recipient_id=CITIZEN, **{"body": "", **fields})  # type: ignore[arg-type]


LONG_AGO = datetime.now(UTC) - timedelta(days=3)


# -- templates -------------------------------------------------------------------------------


async def test_templates_are_listed_with_their_parameters_and_whether_they_can_be_sent(adapter):
    templates = {t.name: t for t in await adapter.list_templates(account())}
    ready = templates["dokumen_siap_diambil"]
    assert (ready.language, ready.status, ready.usable) == ("id", "APPROVED", True)
    assert ready.parameters == ("1", "2", "3")
    assert templates["tindak_lanjut_pengaduan"].header == "Dinas Dukcapil"
    assert templates["pengaduan_selesai"].parameters == ()
    assert not templates["promo_jemput_bola_ktp"].usable
    assert "REJECTED" in templates["promo_jemput_bola_ktp"].reason
    assert not templates["pengingat_perekaman_ktp"].usable


async def test_a_listing_longer_than_one_page_is_followed_to_its_end(adapter, whatsapp_simulator):
    whatsapp_simulator.store.templates.extend(
        SimTemplate(f"info_{i:03d}", "id", "UTILITY", "APPROVED", "Info {{1}}") for i in range(150)
    )
    templates = await adapter.list_templates(account())
    assert len(templates) == 157
    assert len({(t.name, t.language) for t in templates}) == 157


async def test_an_account_without_a_business_account_id_has_no_templates(adapter):
    config = AccountConfig(OFFICE.phone_number_id, {"access_token": OFFICE.access_token})
    assert not adapter.has_templates(config)
    with pytest.raises(PermanentError) as refused:
        await adapter.list_templates(config)
    assert refused.value.code == "no_business_account"


async def test_a_template_reaches_the_citizen_outside_the_window(adapter, whatsapp_simulator):
    template = OutboundTemplate("dokumen_siap_diambil", "id", ("Siti", "KTP-el", "loket 3"))
    wamid = await adapter.send(account(), reply(template=template, last_inbound_at=LONG_AGO))
    [sent] = whatsapp_simulator.store.outbound()
    assert sent.id == wamid and sent.type == "template"
    assert "dokumen KTP-el Anda sudah selesai dan dapat diambil di loket 3" in sent.text
    assert sent.details["parameters"] == ["Siti", "KTP-el", "loket 3"]


async def test_free_text_outside_the_window_is_refused_before_any_call(adapter, whatsapp_simulator):
    with pytest.raises(PermanentError) as refused:
        await adapter.send(account(), reply(body="Halo", last_inbound_at=LONG_AGO))
    assert refused.value.code == "window_closed"
    assert whatsapp_simulator.store.outbound() == []
    assert not adapter.free_form_open(LONG_AGO, datetime.now(UTC))
    assert adapter.free_form_open(datetime.now(UTC) - timedelta(hours=23), datetime.now(UTC))


@pytest.mark.parametrize(
    ("template", "code"),
    [
        (OutboundTemplate("tidak_ada", "id", ()), "132001"),
        (OutboundTemplate("dokumen_siap_diambil", "en", ("a", "b", "c")), "132001"),
        (OutboundTemplate("promo_jemput_bola_ktp", "id", ("Tomohon",)), "132001"),
        (OutboundTemplate("dokumen_siap_diambil", "id", ("Siti", "KTP-el")), "132000"),
        (OutboundTemplate("pengaduan_selesai", "id", ("lebih",)), "132000"),
        (OutboundTemplate("pengingat_perekaman_ktp", "id", ("Siti", "Senin")), "132015"),
        (OutboundTemplate("dokumen_siap_diambil", "id", ("Siti", "KTP\nel", "loket")), "132018"),
    ],
)
async def test_a_template_meta_would_refuse_fails_with_metas_code(
    adapter, whatsapp_simulator, template, code
):
    with pytest.raises(PermanentError) as refused:
        await adapter.send(account(), reply(template=template))
    assert refused.value.code == code
    assert whatsapp_simulator.store.outbound() == []


# -- media -----------------------------------------------------------------------------------


async def test_an_image_is_uploaded_then_sent_by_its_media_id(adapter, whatsapp_simulator):
    media = OutboundMedia(ContentKind.image, PNG, "image/png", "formulir.png")
    await adapter.send(account(), reply(body="Contoh formulir F-1.02", media=media))
    [sent] = whatsapp_simulator.store.outbound()
    uploaded = whatsapp_simulator.store.media[sent.media_id]
    assert (sent.type, sent.text) == ("image", "Contoh formulir F-1.02")
    assert (uploaded.content, uploaded.mime_type) == (PNG, "image/png")


async def test_a_document_keeps_its_file_name(adapter, whatsapp_simulator):
    media = OutboundMedia(ContentKind.document, PDF, "application/pdf", "syarat_kk.pdf")
    await adapter.send(account(), reply(media=media))
    [sent] = whatsapp_simulator.store.outbound()
    assert sent.type == "document"
    assert sent.details["filename"] == "syarat_kk.pdf"
    assert whatsapp_simulator.store.media[sent.media_id].content == PDF


async def test_an_upload_meta_refuses_fails_the_send(adapter, whatsapp_simulator):
    media = OutboundMedia(ContentKind.document, b"MZ\x90\x00", "application/x-msdownload", "a.exe")
    with pytest.raises(PermanentError) as refused:
        await adapter.send(account(), reply(media=media))
    assert refused.value.code == "131053"
    assert whatsapp_simulator.store.outbound() == []


# -- quotes and read receipts ----------------------------------------------------------------


async def test_a_quoted_reply_carries_the_citizens_message_id(adapter, whatsapp_simulator):
    wamid = citizen_writes(whatsapp_simulator)
    await adapter.send(account(), reply(body="Sudah kami cek", reply_to_external_id=wamid))
    media = OutboundMedia(ContentKind.image, PNG, "image/png")
    await adapter.send(account(), reply(media=media, reply_to_external_id=wamid))
    assert [m.reply_to for m in whatsapp_simulator.store.outbound()] == [wamid, wamid]


async def test_marking_a_message_read_reaches_the_simulator(adapter, whatsapp_simulator):
    wamid = citizen_writes(whatsapp_simulator)
    await adapter.mark_read(account(), wamid)
    assert whatsapp_simulator.store.read_marks == [wamid]
    assert whatsapp_simulator.store.message(wamid).details["read_by_business"] is True


async def test_marking_an_unknown_message_read_is_refused(adapter):
    with pytest.raises(PermanentError) as refused:
        await adapter.mark_read(account(), "wamid.unknown")
    assert refused.value.code == "100"


def test_the_reply_window_is_reported_as_the_other_channels_report_theirs(adapter):
    from channels.base import ReplyContext

    now = datetime.now(UTC)
    recent = ReplyContext({}, now - timedelta(hours=2), "wamid.x", frozenset(), now)
    choices = adapter.reply_choices(account(), recent)
    assert choices.window == "open"
    assert choices.window_until == now - timedelta(hours=2) + timedelta(hours=24)
    old = ReplyContext({}, LONG_AGO, "wamid.x", frozenset(), now)
    assert adapter.reply_choices(account(), old).window == "closed"
