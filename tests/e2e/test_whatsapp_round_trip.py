"""A citizen writes on WhatsApp, the admin answers, the ticks come back: all real parts.

The WhatsApp Cloud API simulator and the helpdesk run on real ports; the simulator delivers
signed webhooks; the helpdesk sends through facebook-sdk; on PostgreSQL a separate arq worker
on Redis does the jobs.
"""

from __future__ import annotations

import base64

import httpx

from tests.conftest import BREBES_WA
from tests.e2e.conftest import eventually

# The smallest valid PNG: what a citizen's photo of a document stands in for.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def test_message_ticket_reply_and_ticks(live, seed):
    url, simulator = live
    api = httpx.AsyncClient(base_url=url, headers=seed.bearer("admin_brebes"), timeout=10)
    sim = httpx.AsyncClient(base_url=simulator.base_url, timeout=10)

    sent = await sim.post(
        "/_sim/inbound",
        json={
            "phone_number_id": BREBES_WA,
            "from": "6281234567890",
            "name": "Siti",
            "text": "KTP saya rusak",
        },
    )
    assert sent.json()["webhook_status"] == 200

    async def ticket():  # type: ignore[no-untyped-def]
        items = (await api.get("/api/v1/tickets")).json()["items"]
        return items[0] if items else None

    found = await eventually(ticket)
    assert found["register_no"].startswith("ADU/BREBES/")
    assert found["contact"]["name"] == "Siti"

    reply = await api.post(
        f"/api/v1/tickets/{found['id']}/replies", json={"body": "Silakan datang ke loket 3"}
    )
    assert reply.status_code == 202

    async def read_reply():  # type: ignore[no-untyped-def]
        items = (await api.get(f"/api/v1/tickets/{found['id']}/messages")).json()["items"]
        out = [m for m in items if m["direction"] == "out"]
        return out[0] if out and out[0]["status"] == "read" else None

    answered = await eventually(read_reply)
    [delivered] = simulator.store.outbound()
    assert (delivered.citizen, delivered.text) == ("6281234567890", "Silakan datang ke loket 3")
    assert answered["external_id"] == delivered.id
    await api.aclose()
    await sim.aclose()


async def test_a_photo_is_downloaded_and_served_to_the_office_only(live, seed):
    url, simulator = live
    sim = httpx.AsyncClient(base_url=simulator.base_url, timeout=10)
    await sim.post(
        "/_sim/inbound",
        json={
            "phone_number_id": BREBES_WA,
            "from": "6281234567890",
            "type": "image",
            "content_base64": base64.b64encode(PNG).decode(),
            "mime_type": "image/png",
            "caption": "Foto KK saya",
        },
    )
    api = httpx.AsyncClient(base_url=url, headers=seed.bearer("admin_brebes"), timeout=10)

    async def stored_attachment():  # type: ignore[no-untyped-def]
        items = (await api.get("/api/v1/tickets")).json()["items"]
        if not items:
            return None
        messages = (await api.get(f"/api/v1/tickets/{items[0]['id']}/messages")).json()["items"]
        attachments = [a for m in messages for a in m["attachments"]]
        return attachments[0] if attachments and attachments[0]["status"] == "stored" else None

    attachment = await eventually(stored_attachment)
    assert attachment["content_type"] == "image/png"
    image = await api.get(attachment["url"])
    assert image.content == PNG
    assert image.headers["x-content-type-options"] == "nosniff"
    other = await api.get(attachment["url"], headers=seed.bearer("admin_tomohon"))
    assert other.status_code == 404
    await api.aclose()
    await sim.aclose()
