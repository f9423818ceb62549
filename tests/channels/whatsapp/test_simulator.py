"""The WhatsApp Cloud API simulator's contract: Meta's shapes in, Meta's shapes out."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from channels.whatsapp.simulator import SimulatorConfig, StatusDelays, serve_simulator
from tests.simulators import (
    APP_SECRET,
    NUMBERS,
    SimulatorHandle,
    WebhookReceiver,
)

OFFICE = NUMBERS[0]
CITIZEN = "6281234567890"


def send_url(sim: SimulatorHandle, phone_number_id: str = OFFICE.phone_number_id) -> str:
    return f"{sim.graph_url}v21.0/{phone_number_id}/messages"


def text_send(to: str = f"+{CITIZEN}", body: str = "Berkas Anda sudah kami terima.") -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body, "preview_url": False},
    }


def bearer(token: str = OFFICE.access_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def webhook_json(receiver: WebhookReceiver, index: int) -> dict[str, Any]:
    return json.loads(receiver.requests[index].body)


def statuses_of(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    found = []
    for request in receiver.requests:
        value = json.loads(request.body)["entry"][0]["changes"][0]["value"]
        found.extend(value.get("statuses", []))
    return found


def is_signed(request: Any) -> bool:
    expected = "sha256=" + hmac.new(APP_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers.get("x-hub-signature-256", ""), expected)


# --- the Graph API send endpoint ---


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, 190),
        (bearer("token-palsu"), 401, 190),
        (bearer(NUMBERS[1].access_token), 400, 100),  # another office's token
    ],
)
def test_send_checks_the_token(
    whatsapp_simulator: SimulatorHandle, headers: dict[str, str], status: int, code: int
) -> None:
    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=headers)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] in ("OAuthException", "GraphMethodException")
    assert "fbtrace_id" in error
    assert whatsapp_simulator.store.outbound() == []


def test_send_accepts_json_with_bearer(whatsapp_simulator: SimulatorHandle) -> None:
    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())

    assert response.status_code == 200
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": f"+{CITIZEN}", "wa_id": CITIZEN}]
    wamid = body["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    [record] = whatsapp_simulator.store.outbound()
    assert (record.id, record.citizen, record.text) == (
        wamid,
        CITIZEN,
        "Berkas Anda sudah kami terima.",
    )


def test_send_accepts_facebook_sdk_form_bodies(whatsapp_simulator: SimulatorHandle) -> None:
    form = {
        "access_token": OFFICE.access_token,
        "messaging_product": "whatsapp",
        "to": CITIZEN,
        "type": "text",
        "text": json.dumps({"body": "Silakan datang hari Senin."}),
        "context": json.dumps({"message_id": "wamid.asal"}),
    }

    response = httpx.post(send_url(whatsapp_simulator), data=form)

    assert response.status_code == 200, response.text
    [record] = whatsapp_simulator.store.outbound()
    assert (record.text, record.reply_to) == ("Silakan datang hari Senin.", "wamid.asal")


@pytest.mark.parametrize(
    "change",
    [
        {"messaging_product": None},
        {"to": ""},
        {"type": "image"},
        {"text": {}},
        {"text": {"body": "x" * 4097}},
    ],
)
def test_send_refuses_invalid_parameters_with_code_100(
    whatsapp_simulator: SimulatorHandle, change: dict[str, Any]
) -> None:
    body = {k: v for k, v in (text_send() | change).items() if v is not None}

    response = httpx.post(send_url(whatsapp_simulator), json=body, headers=bearer())

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert whatsapp_simulator.store.outbound() == []


# --- faults ---


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("rate_limit", 429, 4),
        ("throughput", 400, 130429),
        ("server_error", 500, 2),
        ("reengagement", 400, 131047),
        ("token_expired", 401, 190),
        ("undeliverable", 400, 131026),
    ],
)
def test_faults_answer_in_metas_error_shape(
    whatsapp_simulator: SimulatorHandle, fault: str, status: int, code: int
) -> None:
    httpx.post(f"{whatsapp_simulator.base_url}/_sim/faults", json={"fault": fault, "count": 2})

    answers = [
        httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [status, status, 200]
    error = answers[0].json()["error"]
    assert error["code"] == code
    assert error["message"] and error["type"]
    if fault == "server_error":
        assert error["is_transient"] is True
    assert len(whatsapp_simulator.store.outbound()) == 1


def test_bad_gateway_fault_answers_html(whatsapp_simulator: SimulatorHandle) -> None:
    httpx.post(f"{whatsapp_simulator.base_url}/_sim/faults", json={"fault": "bad_gateway_html"})

    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")


def test_faults_can_be_listed_refused_and_cleared(whatsapp_simulator: SimulatorHandle) -> None:
    faults_url = f"{whatsapp_simulator.base_url}/_sim/faults"

    assert httpx.post(faults_url, json={"fault": "meteor"}).status_code == 400
    httpx.post(faults_url, json={"fault": "rate_limit", "count": 3})
    assert httpx.get(faults_url).json()["faults"][0]["remaining"] == 3
    httpx.delete(faults_url)

    assert httpx.get(faults_url).json() == {"faults": []}
    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())
    assert response.status_code == 200


def test_fail_after_accept_sends_a_failed_status(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/faults",
        json={"fault": "fail_after_accept", "code": 131047},
    )

    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())

    assert response.status_code == 200
    webhook_receiver.wait_for(1)
    [status] = statuses_of(webhook_receiver)
    assert status["id"] == response.json()["messages"][0]["id"]
    assert status["status"] == "failed"
    assert status["errors"][0]["code"] == 131047
    assert status["errors"][0]["title"] == "Re-engagement message"


# --- webhooks ---


def test_inbound_text_is_posted_signed_in_metas_shape(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    response = httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": "+62 812-3456-7890",
            "name": "Siti Aminah",
            "text": "KTP-el saya hilang, bagaimana?",
        },
    )

    assert response.status_code == 200
    assert response.json()["webhook_status"] == 200
    [request] = webhook_receiver.requests
    assert request.path == "/webhooks/whatsapp"
    assert is_signed(request)
    payload = json.loads(request.body)
    assert payload["object"] == "whatsapp_business_account"
    [change] = payload["entry"][0]["changes"]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["metadata"] == {
        "display_phone_number": "622155500001",
        "phone_number_id": OFFICE.phone_number_id,
    }
    assert value["contacts"] == [{"profile": {"name": "Siti Aminah"}, "wa_id": CITIZEN}]
    [message] = value["messages"]
    assert message["id"] == response.json()["id"]
    assert message["from"] == CITIZEN
    assert message["timestamp"].isdigit()
    assert message["type"] == "text"
    assert message["text"] == {"body": "KTP-el saya hilang, bagaimana?"}
    assert "context" not in message


def test_inbound_reply_carries_context(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "text": "Terima kasih",
            "context_id": "wamid.balasan-petugas",
        },
    )

    message = webhook_json(webhook_receiver, 0)["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message["context"] == {"from": "622155500001", "id": "wamid.balasan-petugas"}


def test_inbound_image_can_be_fetched_as_media(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    content = b"\xff\xd8\xff\xe0 foto akta"
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "type": "image",
            "content_base64": base64.b64encode(content).decode(),
            "mime_type": "image/jpeg",
            "caption": "Foto akta kelahiran",
        },
    )

    [request] = webhook_receiver.requests
    assert b"image\\/jpeg" in request.body  # Meta escapes slashes: verify raw bytes
    assert is_signed(request)
    image = json.loads(request.body)["entry"][0]["changes"][0]["value"]["messages"][0]["image"]
    assert image["caption"] == "Foto akta kelahiran"
    assert image["sha256"] == hashlib.sha256(content).hexdigest()
    info = httpx.get(f"{whatsapp_simulator.graph_url}v21.0/{image['id']}", headers=bearer())
    assert info.status_code == 200
    assert info.json() | {"url": None} == {
        "messaging_product": "whatsapp",
        "url": None,
        "mime_type": "image/jpeg",
        "sha256": image["sha256"],
        "file_size": len(content),
        "id": image["id"],
    }
    media_url = info.json()["url"]
    assert media_url.startswith(f"{whatsapp_simulator.base_url}/media/")
    assert httpx.get(media_url).status_code == 401
    assert httpx.get(media_url, headers=bearer("token-palsu")).status_code == 401
    download = httpx.get(media_url, headers=bearer())
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "image/jpeg"


def test_media_lookup_accepts_the_query_token_and_checks_it(
    whatsapp_simulator: SimulatorHandle,
) -> None:
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "type": "document",
            "content_base64": base64.b64encode(b"%PDF-1.4").decode(),
            "filename": "kk.pdf",
        },
    )
    [record] = whatsapp_simulator.store.inbound()
    url = f"{whatsapp_simulator.graph_url}v21.0/{record.media_id}"

    assert httpx.get(url, params={"access_token": OFFICE.access_token}).status_code == 200
    assert httpx.get(url).json()["error"]["code"] == 190
    other_office = httpx.get(url, headers=bearer(NUMBERS[1].access_token))
    assert other_office.json()["error"]["code"] == 100


def test_media_urls_expire(
    serve_whatsapp_simulator: Callable[[SimulatorConfig], SimulatorHandle],
    simulator_config: SimulatorConfig,
) -> None:
    sim = serve_whatsapp_simulator(replace(simulator_config, media_url_ttl_seconds=0))
    httpx.post(
        f"{sim.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "type": "image",
            "content_base64": base64.b64encode(b"x").decode(),
        },
    )
    [record] = sim.store.inbound()
    url = httpx.get(f"{sim.graph_url}v21.0/{record.media_id}", headers=bearer()).json()["url"]

    assert httpx.get(url, headers=bearer()).status_code == 404


def test_inbound_refuses_what_its_type_lacks(whatsapp_simulator: SimulatorHandle) -> None:
    url = f"{whatsapp_simulator.base_url}/_sim/inbound"
    base = {"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN}

    assert httpx.post(url, json=base | {"text": ""}).status_code == 400
    assert httpx.post(url, json=base | {"type": "image"}).status_code == 400
    assert httpx.post(url, json=base | {"type": "location", "latitude": "x"}).status_code == 400
    assert httpx.post(url, json=base | {"phone_number_id": "0", "text": "a"}).status_code == 400
    assert whatsapp_simulator.store.messages == []


@pytest.mark.parametrize(
    ("extra", "kind", "expected"),
    [
        (
            {"type": "location", "latitude": -6.9, "longitude": 107.6, "name": "Kantor"},
            "location",
            {"latitude": -6.9, "longitude": 107.6, "name": "Kantor"},
        ),
        (
            {"type": "reaction", "message_id": "wamid.x", "emoji": "👍"},
            "reaction",
            {"message_id": "wamid.x", "emoji": "👍"},
        ),
    ],
)
def test_inbound_other_types(
    whatsapp_simulator: SimulatorHandle,
    webhook_receiver: WebhookReceiver,
    extra: dict[str, Any],
    kind: str,
    expected: dict[str, Any],
) -> None:
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN} | extra,
    )

    message = webhook_json(webhook_receiver, 0)["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message["type"] == kind
    assert message[kind] == expected


def test_statuses_follow_a_send_in_order(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())
    wamid = response.json()["messages"][0]["id"]

    webhook_receiver.wait_for(3)

    assert all(is_signed(r) for r in webhook_receiver.requests)
    received = {s["status"]: s for s in statuses_of(webhook_receiver)}
    # Emitted in order (the store's record); on the way they may overtake each other.
    [record] = whatsapp_simulator.store.outbound()
    assert [s.status for s in record.statuses] == ["sent", "delivered", "read"]
    assert set(received) == {"sent", "delivered", "read"}
    assert {s["id"] for s in received.values()} == {wamid}
    sent, delivered, read = received["sent"], received["delivered"], received["read"]
    assert sent["recipient_id"] == CITIZEN
    assert sent["conversation"]["origin"] == {"type": "service"}
    assert "expiration_timestamp" in sent["conversation"]
    assert sent["pricing"]["category"] == "service"
    assert delivered["conversation"]["id"] == sent["conversation"]["id"]
    assert "conversation" not in read and "pricing" not in read
    assert record.status == "read"


def test_read_receipts_can_be_switched_off(
    serve_whatsapp_simulator: Callable[[SimulatorConfig], SimulatorHandle],
    simulator_config: SimulatorConfig,
    webhook_receiver: WebhookReceiver,
    wait_until: Callable[..., Any],
) -> None:
    delays = StatusDelays(sent=0.01, delivered=0.02, read=None)
    sim = serve_whatsapp_simulator(replace(simulator_config, status_delays=delays))

    httpx.post(send_url(sim), json=text_send(), headers=bearer())

    webhook_receiver.wait_for(2)
    [record] = sim.store.outbound()
    wait_until(lambda: record.status == "delivered")
    # Emitted in order; webhooks may overtake each other on the way, as Meta's do.
    assert [s.status for s in record.statuses] == ["sent", "delivered"]
    assert sorted(s["status"] for s in statuses_of(webhook_receiver)) == ["delivered", "sent"]


def test_reply_window_can_be_enforced(
    serve_whatsapp_simulator: Callable[[SimulatorConfig], SimulatorHandle],
    simulator_config: SimulatorConfig,
    wait_until: Callable[..., Any],
) -> None:
    sim = serve_whatsapp_simulator(replace(simulator_config, enforce_reply_window=True))

    httpx.post(send_url(sim), json=text_send(), headers=bearer())
    httpx.post(
        f"{sim.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN, "text": "Halo"},
    )
    httpx.post(send_url(sim), json=text_send(), headers=bearer())

    first, second = sim.store.outbound()
    wait_until(lambda: first.status == "failed" and second.status == "read")
    assert first.statuses[0].error_code == 131047


def test_undelivered_webhooks_are_retried_with_backoff(
    whatsapp_simulator: SimulatorHandle,
    webhook_receiver: WebhookReceiver,
    wait_until: Callable[..., Any],
) -> None:
    webhook_receiver.responses.extend([500, 503])

    response = httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN, "text": "Halo"},
    )

    assert response.json()["webhook_status"] == 500
    requests = webhook_receiver.wait_for(3)
    assert len({r.body for r in requests}) == 1
    [delivery] = whatsapp_simulator.store.webhooks
    wait_until(lambda: delivery.delivered)
    assert delivery.attempts == [500, 503, 200]


def test_retries_stop_after_five_attempts(
    whatsapp_simulator: SimulatorHandle,
    webhook_receiver: WebhookReceiver,
    wait_until: Callable[..., Any],
) -> None:
    webhook_receiver.responses.extend([500] * 10)

    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN, "text": "Halo"},
    )

    [delivery] = whatsapp_simulator.store.webhooks
    wait_until(lambda: len(delivery.attempts) == 5, timeout=10)
    webhook_receiver.wait_for(5)
    assert delivery.attempts == [500] * 5 and not delivery.delivered


def test_unreachable_helpdesk_is_reported_not_raised(
    serve_whatsapp_simulator: Callable[[SimulatorConfig], SimulatorHandle],
    simulator_config: SimulatorConfig,
) -> None:
    sim = serve_whatsapp_simulator(replace(simulator_config, webhook_url="http://127.0.0.1:9/x"))

    response = httpx.post(
        f"{sim.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN, "text": "Halo"},
    )

    assert response.status_code == 200
    assert response.json()["webhook_status"] is None


def test_status_on_demand(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    httpx.post(f"{whatsapp_simulator.base_url}/_sim/faults", json={"fault": "fail_after_accept"})
    response = httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())
    webhook_receiver.wait_for(1)
    wamid = response.json()["messages"][0]["id"]

    answer = httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/status",
        json={"id": wamid, "status": "failed", "code": 131026},
    )

    assert answer.json() == {"webhook_status": 200}
    assert statuses_of(webhook_receiver)[-1]["errors"][0]["code"] == 131026
    missing = httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/status", json={"id": "wamid.x", "status": "read"}
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("options", "expect_signature"),
    [
        ({}, "valid"),
        ({"sign": False}, None),
        ({"signature": "sha256=00"}, "sha256=00"),
    ],
)
def test_raw_payloads_for_hostile_tests(
    whatsapp_simulator: SimulatorHandle,
    webhook_receiver: WebhookReceiver,
    options: dict[str, Any],
    expect_signature: str | None,
) -> None:
    response = httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/raw",
        json={"payload": {"object": "whatsapp_business_account", "entry": []}} | options,
    )

    assert response.json() == {"webhook_status": 200}
    [request] = webhook_receiver.requests
    assert json.loads(request.body) == {"object": "whatsapp_business_account", "entry": []}
    if expect_signature == "valid":
        assert is_signed(request)
    else:
        assert request.headers.get("x-hub-signature-256") == expect_signature


def test_messages_lists_both_directions_per_number(
    whatsapp_simulator: SimulatorHandle,
    webhook_receiver: WebhookReceiver,
    wait_until: Callable[..., Any],
) -> None:
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={"phone_number_id": OFFICE.phone_number_id, "from": CITIZEN, "text": "Halo"},
    )
    httpx.post(send_url(whatsapp_simulator), json=text_send(), headers=bearer())
    wait_until(lambda: whatsapp_simulator.store.outbound()[0].status == "read")

    listing = httpx.get(f"{whatsapp_simulator.base_url}/_sim/messages").json()

    first, second = listing["numbers"]
    assert second["messages"] == []
    inbound, outbound = first["messages"]
    assert (inbound["direction"], inbound["text"], inbound["webhook_attempts"]) == (
        "inbound",
        "Halo",
        [200],
    )
    assert outbound["direction"] == "outbound" and outbound["status"] == "read"
    assert [s["status"] for s in outbound["statuses"]] == ["sent", "delivered", "read"]


@pytest.mark.asyncio
async def test_serve_simulator_runs_as_a_task_and_stops_on_cancel(
    simulator_config: SimulatorConfig,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    task = asyncio.create_task(serve_simulator(simulator_config, "127.0.0.1", port))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(200):
            try:
                response = await client.get("/_sim/messages")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.02)
        assert response.status_code == 200

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    with socket.socket() as sock:
        # SO_REUSEADDR tolerates TIME_WAIT but not a listener: bind fails if still serving.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


# --- the page ---


def test_page_renders_in_indonesian_and_escapes(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "name": "<script>alert('nama')</script>",
            "text": "<script>alert('pesan')</script>",
        },
    )

    for path in ("/", "/_sim/", "/_sim/conversations"):
        page = httpx.get(whatsapp_simulator.base_url + path)
        assert page.status_code == 200
        assert "&lt;script&gt;alert(" in page.text
        assert "<script>alert(" not in page.text
    home = httpx.get(whatsapp_simulator.base_url + "/").text
    assert 'lang="id"' in home and "Nomor kantor" in home and OFFICE.label in home
    assert "http://" not in home.replace(whatsapp_simulator.base_url, "")  # no external assets


def test_page_form_sends_as_the_citizen(
    whatsapp_simulator: SimulatorHandle, webhook_receiver: WebhookReceiver
) -> None:
    response = httpx.post(
        f"{whatsapp_simulator.base_url}/_sim/send",
        data={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "name": "Budi",
            "text": "Apakah akta bisa diambil besok?",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"].startswith("/_sim/")
    [request] = webhook_receiver.requests
    assert is_signed(request)
    [record] = whatsapp_simulator.store.inbound()
    assert (record.name, record.text) == ("Budi", "Apakah akta bisa diambil besok?")
    page = httpx.get(whatsapp_simulator.base_url + response.headers["location"]).text
    assert "Apakah akta bisa diambil besok?" in page and "HTTP 200" in page
