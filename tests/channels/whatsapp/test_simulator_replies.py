"""The simulator's templates, uploads and read marks, spoken to over plain HTTP as Meta's API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from channels.whatsapp.simulator import SimulatorConfig
from tests.simulators import NUMBERS, SimulatorHandle

OFFICE, OTHER = NUMBERS
CITIZEN = "6281234567890"
WABA = "102290129340398"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def url(sim: SimulatorHandle, path: str) -> str:
    return f"{sim.graph_url}v21.0/{path}"


def bearer(token: str = OFFICE.access_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def send(sim: SimulatorHandle, kind: str, content: dict[str, Any], **extra: Any) -> httpx.Response:
    body = {"messaging_product": "whatsapp", "to": CITIZEN, "type": kind, kind: content, **extra}
    return httpx.post(url(sim, f"{OFFICE.phone_number_id}/messages"), json=body, headers=bearer())


def upload(sim: SimulatorHandle, content: bytes, mime: str, **fields: str) -> httpx.Response:
    data = {"messaging_product": "whatsapp", "type": mime, **fields}
    return httpx.post(
        url(sim, f"{OFFICE.phone_number_id}/media"),
        data=data,
        files={"file": ("f", content, mime)},
        headers=bearer(),
    )


def error_code(response: httpx.Response) -> int:
    return int(response.json()["error"]["code"])


def test_the_listing_pages_with_graph_cursors(whatsapp_simulator: SimulatorHandle) -> None:
    first = httpx.get(
        url(whatsapp_simulator, f"{WABA}/message_templates?limit=3"), headers=bearer()
    )
    body = first.json()
    assert [t["name"] for t in body["data"]] == [
        "tindak_lanjut_pengaduan",
        "dokumen_siap_diambil",
        "permintaan_kelengkapan_berkas",
    ]
    after = body["paging"]["cursors"]["after"]
    rest = httpx.get(
        url(whatsapp_simulator, f"{WABA}/message_templates?limit=100&after={after}"),
        headers=bearer(),
    ).json()
    assert len(rest["data"]) == 4 and "next" not in rest["paging"]
    statuses = {t["name"]: t["status"] for t in body["data"] + rest["data"]}
    assert statuses["promo_jemput_bola_ktp"] == "REJECTED"
    assert statuses["pengingat_perekaman_ktp"] == "PAUSED"


def test_the_listing_checks_token_and_account(whatsapp_simulator: SimulatorHandle) -> None:
    path = f"{WABA}/message_templates"
    assert error_code(httpx.get(url(whatsapp_simulator, path), headers=bearer("x"))) == 190
    other = httpx.get(url(whatsapp_simulator, "123/message_templates"), headers=bearer())
    assert error_code(other) == 100


def test_faults_still_apply_to_template_sends(whatsapp_simulator: SimulatorHandle) -> None:
    httpx.post(f"{whatsapp_simulator.base_url}/_sim/faults", json={"fault": "throughput"})
    template = {"name": "pengaduan_selesai", "language": {"code": "id"}}
    assert error_code(send(whatsapp_simulator, "template", template)) == 130429
    assert send(whatsapp_simulator, "template", template).status_code == 200


def test_a_refused_template_does_not_use_up_an_armed_fault(
    whatsapp_simulator: SimulatorHandle,
) -> None:
    httpx.post(f"{whatsapp_simulator.base_url}/_sim/faults", json={"fault": "throughput"})
    unknown = {"name": "tidak_ada", "language": {"code": "id"}}
    assert error_code(send(whatsapp_simulator, "template", unknown)) == 132001
    known = {"name": "pengaduan_selesai", "language": {"code": "id"}}
    assert error_code(send(whatsapp_simulator, "template", known)) == 130429


@pytest.fixture
def simulator_config(simulator_config: SimulatorConfig) -> SimulatorConfig:
    return replace(simulator_config, enforce_reply_window=True)


def test_only_templates_pass_the_closed_window(
    whatsapp_simulator: SimulatorHandle, wait_until: Any
) -> None:
    send(whatsapp_simulator, "text", {"body": "Halo"})
    send(whatsapp_simulator, "template", {"name": "pengaduan_selesai", "language": {"code": "id"}})
    text, template = whatsapp_simulator.store.outbound()
    wait_until(lambda: text.status == "failed" and template.status == "read")
    assert text.statuses[-1].error_code == 131047


@pytest.mark.parametrize(
    ("content", "mime", "fields", "code"),
    [
        (PNG, "image/gif", {}, 131053),
        (PNG, "application/x-msdownload", {}, 131053),
        (PNG + b"\x00" * (5 * 1024 * 1024), "image/png", {}, 131053),
        (b"", "image/png", {}, 131053),
        (PNG, "image/png", {"messaging_product": "sms"}, 100),
    ],
)
def test_uploads_meta_would_refuse(
    whatsapp_simulator: SimulatorHandle, content: bytes, mime: str, fields: dict, code: int
) -> None:
    response = upload(whatsapp_simulator, content, mime, **fields)
    assert response.status_code == 400 and error_code(response) == code
    assert whatsapp_simulator.store.media == {}


def test_media_is_sent_only_by_an_id_of_this_number_and_of_its_kind(
    whatsapp_simulator: SimulatorHandle,
) -> None:
    media_id = upload(whatsapp_simulator, PNG, "image/png").json()["id"]
    assert error_code(send(whatsapp_simulator, "image", {"id": "12345"})) == 131053
    assert error_code(send(whatsapp_simulator, "document", {"id": media_id})) == 131053
    other = httpx.post(
        url(whatsapp_simulator, f"{OTHER.phone_number_id}/messages"),
        json={
            "messaging_product": "whatsapp",
            "to": CITIZEN,
            "type": "image",
            "image": {"id": media_id},
        },
        headers=bearer(OTHER.access_token),
    )
    assert error_code(other) == 131053
    sent = send(whatsapp_simulator, "image", {"id": media_id, "caption": "Formulir"})
    assert sent.status_code == 200
    assert whatsapp_simulator.store.outbound()[-1].text == "Formulir"


def test_an_upload_with_another_numbers_token_is_refused(
    whatsapp_simulator: SimulatorHandle,
) -> None:
    response = httpx.post(
        url(whatsapp_simulator, f"{OFFICE.phone_number_id}/media"),
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("f.png", PNG, "image/png")},
        headers=bearer(OTHER.access_token),
    )
    assert error_code(response) == 100
