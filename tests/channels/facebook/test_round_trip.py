"""End to end, all real parts: a citizen writes on Messenger, comments on a post and writes on
Instagram; the helpdesk (on a real port, with an arq worker on PostgreSQL) opens tickets from
the simulator's signed webhooks; the admin answers through the API, and each answer arrives
back on its surface, its echo adding nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from channels.base import PlatformEndpoints
from channels.facebook.simulator import page_product
from channels.instagram.simulator import instagram_product
from channels.meta.simulator.social import SocialProduct
from channels.meta.simulator.social_store import SocialAccount
from channels.whatsapp.simulator import SimulatorConfig, create_simulator
from tests.channels.meta.social_fixtures import (
    CITIZEN_IGSID,
    CITIZEN_PSID,
    FB_TOKEN,
    IG_ID,
    IG_TOKEN,
    PAGE_ID,
)
from tests.conftest import APP_SECRET
from tests.e2e.conftest import eventually
from tests.e2e.live import reserve_port, run_worker, serve_helpdesk
from tests.simulators import serve_app


@pytest.fixture
def live(settings, social_seed) -> Iterator[tuple[str, str, list[SocialProduct]]]:  # type: ignore[no-untyped-def]
    sock = reserve_port()
    helpdesk_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    products: list[SocialProduct] = []

    def build(base_url: str) -> Any:
        options: dict[str, Any] = {"app_secret": APP_SECRET, "public_url": base_url}
        products.append(
            page_product(
                [SocialAccount(PAGE_ID, FB_TOKEN, "FB", "Dukcapil")],
                webhook_url=f"{helpdesk_url}/webhooks/facebook",
                **options,
            )
        )
        products.append(
            instagram_product(
                [SocialAccount(IG_ID, IG_TOKEN, "IG", "dukcapil")],
                webhook_url=f"{helpdesk_url}/webhooks/instagram",
                **options,
            )
        )
        config = SimulatorConfig(numbers=[], app_secret=APP_SECRET, webhook_url=helpdesk_url)
        return create_simulator(config, products)

    with serve_app(build) as simulator_url:
        live_settings = replace(
            settings,
            endpoints=PlatformEndpoints(graph_api_url=f"{simulator_url}/graph/", timeout_seconds=5),
            queue_name=f"helpdesk:e2e:{uuid.uuid4().hex}",
        )
        with serve_helpdesk(live_settings, sock) as url, run_worker(live_settings):
            yield url, simulator_url, products


async def test_each_surface_from_the_citizen_to_the_answer_and_back(live, social_seed):
    url, simulator_url, (facebook, instagram) = live
    api = httpx.AsyncClient(base_url=url, headers=social_seed.bearer("admin_tomohon"), timeout=10)
    sim = httpx.AsyncClient(base_url=simulator_url, timeout=10)

    async def tickets() -> list[dict[str, Any]]:
        return list((await api.get("/api/v1/tickets?office=tomohon")).json()["items"])

    async def messages(ticket_id: int) -> list[dict[str, Any]]:
        return list((await api.get(f"/api/v1/tickets/{ticket_id}/messages")).json()["items"])

    # Messenger
    sent = await sim.post(
        "/_sim/facebook/message",
        json={"account_id": PAGE_ID, "from": CITIZEN_PSID, "text": "KTP saya hilang"},
    )
    assert sent.json()["webhook_status"] == 200
    [messenger] = await eventually(tickets)
    assert messenger["channel"] == "facebook"
    reply = await api.post(
        f"/api/v1/tickets/{messenger['id']}/replies", json={"body": "Silakan ke loket 3"}
    )
    assert reply.status_code == 202

    async def messenger_answered():  # type: ignore[no-untyped-def]
        out = [i for i in facebook.store.outbound() if i.kind == "message"]
        echoed = out and out[0].delivery is not None and out[0].delivery.delivered
        return out[0] if echoed else None

    answer = await eventually(messenger_answered)
    assert (answer.citizen, answer.text) == (CITIZEN_PSID, "Silakan ke loket 3")

    # A comment on the page's post, answered publicly
    await sim.post(
        "/_sim/facebook/comment",
        json={"account_id": PAGE_ID, "from": "6001", "name": "Maria", "text": "Jadwal KTP?"},
    )

    async def comment_ticket():  # type: ignore[no-untyped-def]
        return next((t for t in await tickets() if t["id"] != messenger["id"]), None)

    commented = await eventually(comment_ticket)
    public = await api.post(
        f"/api/v1/tickets/{commented['id']}/replies",
        json={"body": "Setiap hari kerja", "reply_mode": "public_comment"},
    )
    assert public.status_code == 202

    async def commented_back():  # type: ignore[no-untyped-def]
        found = [i for i in facebook.store.outbound() if i.kind == "comment"]
        echoed = found and found[0].delivery is not None and found[0].delivery.delivered
        return found[0] if echoed else None

    comment_reply = await eventually(commented_back)
    assert comment_reply.text == "Setiap hari kerja"

    # Instagram Direct
    await sim.post(
        "/_sim/instagram/message",
        json={"account_id": IG_ID, "from": CITIZEN_IGSID, "text": "Akta anak saya salah"},
    )

    async def ig_ticket():  # type: ignore[no-untyped-def]
        return next((t for t in await tickets() if t["channel"] == "instagram"), None)

    direct = await eventually(ig_ticket)
    await api.post(f"/api/v1/tickets/{direct['id']}/replies", json={"body": "Kirim fotonya"})

    async def ig_answered():  # type: ignore[no-untyped-def]
        out = instagram.store.outbound()
        return out[0] if out and out[0].delivery and out[0].delivery.delivered else None

    assert (await eventually(ig_answered)).text == "Kirim fotonya"

    # Every echo has come back by now, and none of them added a message.
    async def settled():  # type: ignore[no-untyped-def]
        outs = [
            [m for m in await messages(t["id"]) if m["direction"] == "out"]
            for t in (messenger, commented, direct)
        ]
        return outs if all(o and o[0]["status"] != "queued" for o in outs) else None

    for out in await eventually(settled):
        assert len(out) == 1 and out[0]["external_id"]
    assert len(await tickets()) == 3
    await api.aclose()
    await sim.aclose()
