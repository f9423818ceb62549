"""GraphClient against the simulator over real HTTP: facebook-sdk, requests, no mocks.

Every platform failure must come out as one of the three error kinds the outbound job knows.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, Response, get, post
from litestar.params import FromPath
from litestar.response import Stream

from channels.base import (
    AuthError,
    ChannelError,
    PermanentError,
    PlatformEndpoints,
    TransientError,
)
from channels.whatsapp.client import GraphClient
from tests.simulators import NUMBERS, SimulatorHandle, serve_app

OFFICE = NUMBERS[0]
CITIZEN = "+6281234567890"


def client_for(
    graph_url: str, token: str = OFFICE.access_token, **endpoint_options: Any
) -> GraphClient:
    endpoints = PlatformEndpoints(graph_api_url=graph_url, timeout_seconds=5, **endpoint_options)
    return GraphClient(endpoints, token)


def arm(sim: SimulatorHandle, fault: str, **options: Any) -> None:
    response = httpx.post(f"{sim.base_url}/_sim/faults", json={"fault": fault} | options)
    response.raise_for_status()


def citizen_sends_image(sim: SimulatorHandle, content: bytes) -> str:
    httpx.post(
        f"{sim.base_url}/_sim/inbound",
        json={
            "phone_number_id": OFFICE.phone_number_id,
            "from": CITIZEN,
            "type": "image",
            "content_base64": base64.b64encode(content).decode(),
            "mime_type": "image/png",
        },
    ).raise_for_status()
    media_id = sim.store.inbound()[-1].media_id
    assert media_id is not None
    return media_id


# --- sending ---


@pytest.mark.asyncio
@pytest.mark.parametrize("suffix", ["/graph/", "/graph"])
async def test_send_text_returns_the_wamid(
    whatsapp_simulator: SimulatorHandle, suffix: str
) -> None:
    client = client_for(whatsapp_simulator.base_url + suffix)

    wamid = await client.send_text(OFFICE.phone_number_id, CITIZEN, "Berkas lengkap, terima kasih.")

    [record] = whatsapp_simulator.store.outbound()
    assert wamid == record.id and wamid.startswith("wamid.")
    assert (record.citizen, record.text, record.reply_to) == (
        "6281234567890",
        "Berkas lengkap, terima kasih.",
        None,
    )


@pytest.mark.asyncio
async def test_quoted_reply_reaches_the_platform(whatsapp_simulator: SimulatorHandle) -> None:
    client = client_for(whatsapp_simulator.graph_url)

    await client.send_text(OFFICE.phone_number_id, CITIZEN, "Ya, bisa.", reply_to="wamid.asal")

    [record] = whatsapp_simulator.store.outbound()
    assert record.reply_to == "wamid.asal"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "kind", "code"),
    [
        ("rate_limit", TransientError, "4"),
        ("throughput", TransientError, "130429"),
        ("server_error", TransientError, "2"),
        ("bad_gateway_html", TransientError, "http_502"),
        ("token_expired", AuthError, "190"),
        ("reengagement", PermanentError, "131047"),
        ("undeliverable", PermanentError, "131026"),
    ],
)
async def test_each_fault_maps_to_its_error_kind(
    whatsapp_simulator: SimulatorHandle, fault: str, kind: type[ChannelError], code: str
) -> None:
    arm(whatsapp_simulator, fault)
    client = client_for(whatsapp_simulator.graph_url)

    with pytest.raises(ChannelError) as caught:
        await client.send_text(OFFICE.phone_number_id, CITIZEN, "Halo")

    assert type(caught.value) is kind
    assert caught.value.code == code
    assert whatsapp_simulator.store.outbound() == []


@pytest.mark.asyncio
async def test_platform_message_and_details_are_kept(whatsapp_simulator: SimulatorHandle) -> None:
    arm(whatsapp_simulator, "reengagement")

    with pytest.raises(PermanentError) as caught:
        await client_for(whatsapp_simulator.graph_url).send_text(
            OFFICE.phone_number_id, CITIZEN, "Halo"
        )

    assert "Re-engagement message" in caught.value.message
    assert "24 hours" in caught.value.message


@pytest.mark.asyncio
async def test_retry_after_is_passed_on_when_given(whatsapp_simulator: SimulatorHandle) -> None:
    arm(whatsapp_simulator, "rate_limit", retry_after=7)

    with pytest.raises(TransientError) as caught:
        await client_for(whatsapp_simulator.graph_url).send_text(
            OFFICE.phone_number_id, CITIZEN, "Halo"
        )

    assert caught.value.retry_after == 7.0


@pytest.mark.asyncio
async def test_a_rate_limit_without_retry_after_leaves_it_unset(
    whatsapp_simulator: SimulatorHandle,
) -> None:
    arm(whatsapp_simulator, "rate_limit")

    with pytest.raises(TransientError) as caught:
        await client_for(whatsapp_simulator.graph_url).send_text(
            OFFICE.phone_number_id, CITIZEN, "Halo"
        )

    assert caught.value.retry_after is None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("token", "kind", "code"),
    [
        ("token-palsu", AuthError, "190"),
        (NUMBERS[1].access_token, PermanentError, "100"),  # a token without this number
    ],
)
async def test_wrong_tokens(
    whatsapp_simulator: SimulatorHandle, token: str, kind: type[ChannelError], code: str
) -> None:
    client = client_for(whatsapp_simulator.graph_url, token=token)

    with pytest.raises(kind) as caught:
        await client.send_text(OFFICE.phone_number_id, CITIZEN, "Halo")

    assert caught.value.code == code


@pytest.mark.asyncio
async def test_nothing_listening_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = client_for(f"http://127.0.0.1:{port}/graph/")

    with pytest.raises(TransientError) as caught:
        await client.send_text(OFFICE.phone_number_id, CITIZEN, "Halo")
    assert caught.value.code == "connection"

    with pytest.raises(TransientError):
        await client.fetch_media("1234")


# --- media ---


@pytest.mark.asyncio
async def test_fetch_media(whatsapp_simulator: SimulatorHandle) -> None:
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 300
    media_id = citizen_sends_image(whatsapp_simulator, content)

    media = await client_for(whatsapp_simulator.graph_url).fetch_media(media_id)

    assert media.content == content
    assert media.mime_type == "image/png"


@pytest.mark.asyncio
async def test_media_over_the_limit_is_refused(whatsapp_simulator: SimulatorHandle) -> None:
    media_id = citizen_sends_image(whatsapp_simulator, b"x" * 2048)
    client = client_for(whatsapp_simulator.graph_url, max_media_bytes=1024)

    with pytest.raises(PermanentError) as caught:
        await client.fetch_media(media_id)

    assert caught.value.code == "too_large"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("token", "kind", "code"),
    [
        ("token-palsu", AuthError, "190"),
        (NUMBERS[1].access_token, PermanentError, "100"),
    ],
)
async def test_media_needs_the_right_token(
    whatsapp_simulator: SimulatorHandle, token: str, kind: type[ChannelError], code: str
) -> None:
    media_id = citizen_sends_image(whatsapp_simulator, b"foto")

    with pytest.raises(kind) as caught:
        await client_for(whatsapp_simulator.graph_url, token=token).fetch_media(media_id)

    assert caught.value.code == code


# --- a Graph API that misbehaves in ways the simulator does not offer ---


@pytest.fixture
def misbehaving_graph() -> Iterator[str]:
    """Lies about sizes and hashes, answers 5xx without Meta's error body, or stalls."""

    @get("/graph/v21.0/{media_id:str}")
    async def media_info(media_id: FromPath[str]) -> dict[str, Any]:
        blob = "stream" if media_id == "liar" else "small"
        sha256 = "00" * 32 if media_id == "badhash" else hashlib.sha256(b"kecil").hexdigest()
        return {"url": f"{base_url}/{blob}", "mime_type": "image/png", "sha256": sha256}

    @get("/stream")
    async def stream() -> Stream:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"y" * 1000

        return Stream(chunks(), media_type="image/png")

    @get("/small")
    async def small() -> Response[bytes]:
        return Response(b"kecil", media_type="image/png")

    @post("/graph/v21.0/broken/messages")
    async def broken() -> Response[dict[str, Any]]:
        return Response({"status": "down for maintenance"}, status_code=503)

    @post("/graph/v21.0/portal/messages")
    async def portal() -> Response[str]:
        return Response("<html>Login to the hotel wifi</html>", media_type="text/html")

    @post("/graph/v21.0/slow/messages")
    async def slow() -> dict[str, Any]:
        await asyncio.sleep(2)
        return {"messages": [{"id": "wamid.late"}]}

    app = Litestar([media_info, stream, small, broken, portal, slow])
    with serve_app(lambda url: app) as base_url:
        yield f"{base_url}/graph/"


@pytest.mark.asyncio
async def test_counted_bytes_are_capped_even_when_sizes_are_not_declared(
    misbehaving_graph: str,
) -> None:
    client = client_for(misbehaving_graph, max_media_bytes=4096)

    with pytest.raises(PermanentError) as caught:
        await client.fetch_media("liar")

    assert caught.value.code == "too_large"


@pytest.mark.asyncio
async def test_a_corrupt_download_is_transient(misbehaving_graph: str) -> None:
    assert (await client_for(misbehaving_graph).fetch_media("ok")).content == b"kecil"

    with pytest.raises(TransientError) as caught:
        await client_for(misbehaving_graph).fetch_media("badhash")

    assert caught.value.code == "sha256"


@pytest.mark.asyncio
async def test_a_5xx_json_body_without_an_error_is_transient(misbehaving_graph: str) -> None:
    # facebook-sdk ignores HTTP status and returns such a body as if it were a success.
    with pytest.raises(TransientError) as caught:
        await client_for(misbehaving_graph).send_text("broken", CITIZEN, "Halo")

    assert caught.value.code == "http_503"


@pytest.mark.asyncio
async def test_an_html_page_with_200_is_transient(misbehaving_graph: str) -> None:
    with pytest.raises(TransientError) as caught:
        await client_for(misbehaving_graph).send_text("portal", CITIZEN, "Halo")

    assert caught.value.code == "bad_response"


@pytest.mark.asyncio
async def test_a_stalled_platform_times_out_as_transient(misbehaving_graph: str) -> None:
    endpoints = PlatformEndpoints(graph_api_url=misbehaving_graph, timeout_seconds=0.3)

    with pytest.raises(TransientError) as caught:
        await GraphClient(endpoints, "t").send_text("slow", CITIZEN, "Halo")

    assert caught.value.code == "timeout"
