"""Superusers see the inbound events that did not become messages, and can replay them."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import func, select

from helpdesk.models import Ticket
from tests.conftest import APP_SECRET

FIXTURES = Path(__file__).parents[2] / "channels" / "whatsapp" / "fixtures"


async def post_signed(client, body: bytes) -> None:  # type: ignore[no-untyped-def]
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": f"sha256={digest}"}
    )
    assert response.status_code == 200


async def test_a_rejected_body_is_listed_for_the_superuser_only(client, seed, jobs):
    await post_signed(client, b'{"object": "whatsapp_business_account", "entry": [')
    await jobs.drain()
    listed = await client.get("/api/v1/inbound-events", headers=seed.bearer("root"))
    [event] = listed.json()["items"]
    assert (event["status"], event["channel"]) == ("rejected", "whatsapp")
    assert event["preview"].startswith('{"object"') and event["error"]
    for user in ("admin_brebes", "kasie_tomohon"):
        refused = await client.get("/api/v1/inbound-events", headers=seed.bearer(user))
        assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")


async def test_an_unrouted_event_is_replayed_once_its_account_exists(client, rt, seed, jobs):
    body = (FIXTURES / "text_message.json").read_bytes().replace(b"109876543210", b"555000")
    await post_signed(client, body)
    await jobs.drain()
    [event] = (await client.get("/api/v1/inbound-events", headers=seed.bearer("root"))).json()[
        "items"
    ]
    assert event["status"] == "unrouted"
    async with rt.sessions() as session, session.begin():
        from helpdesk.models import ChannelAccount

        account = (await session.scalars(select(ChannelAccount).limit(1))).one()
        account.key = "555000"  # the superuser fixed the offices file
    rt.forget_accounts()
    replayed = await client.post(
        f"/api/v1/inbound-events/{event['id']}/replay", headers=seed.bearer("root")
    )
    assert replayed.status_code == 202
    await jobs.drain()
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1
    again = await client.post(
        f"/api/v1/inbound-events/{event['id']}/replay", headers=seed.bearer("root")
    )
    assert (again.status_code, again.json()["error"]) == (409, "not_replayable")
