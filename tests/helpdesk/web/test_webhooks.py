"""The webhook route: verify, store, enqueue, acknowledge; refuse whatever is not the platform's."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import func, select

from helpdesk.models import InboundEvent, Ticket
from tests.conftest import APP_SECRET, VERIFY_TOKEN

FIXTURES = Path(__file__).parents[2] / "channels" / "whatsapp" / "fixtures"


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


async def events(rt) -> list[InboundEvent]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(await session.scalars(select(InboundEvent).order_by(InboundEvent.id)))


async def tickets(rt) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Ticket))


async def test_meta_handshake_answers_the_challenge_for_our_verify_token(client, seed):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = await client.get("/webhooks/whatsapp", params=query)
    assert (response.status_code, response.text) == (200, "1158201444")


async def test_meta_handshake_with_a_wrong_token_is_refused(client, seed):
    query = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    assert (await client.get("/webhooks/whatsapp", params=query)).status_code == 403


async def test_a_signed_message_is_stored_acknowledged_and_becomes_a_ticket(client, rt, seed, jobs):
    body = (FIXTURES / "text_message.json").read_bytes()
    response = await client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert response.status_code == 200
    [event] = await events(rt)
    assert event.body == body
    await jobs.drain()
    assert (await events(rt))[0].status == "processed"
    assert await tickets(rt) == 1


async def test_a_missing_or_bad_signature_is_refused_and_nothing_is_stored(client, rt, seed):
    body = (FIXTURES / "text_message.json").read_bytes()
    for headers in (
        {"Content-Type": "application/json"},
        signed(body, secret="not-our-secret"),
        signed(body + b" "),
        {"X-Hub-Signature-256": "sha1=abc"},
    ):
        response = await client.post("/webhooks/whatsapp", content=body, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"] == "bad_signature"
    assert await events(rt) == []


async def test_a_body_over_3_mb_is_refused_with_413(client, rt, seed):
    body = b'{"object": "whatsapp_business_account", "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = await client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert response.status_code == 413
    assert await events(rt) == []


async def test_malformed_json_with_a_good_signature_is_acknowledged_and_kept_rejected(
    client, rt, seed, jobs
):
    body = b'{"object": "whatsapp_business_account", "entry": [{'
    response = await client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert response.status_code == 200  # so Meta stops retrying
    await jobs.drain()
    [event] = await events(rt)
    assert event.status == "rejected" and event.error


async def test_an_unknown_phone_number_id_is_kept_and_flagged_without_a_ticket(
    client, rt, seed, jobs
):
    body = (FIXTURES / "text_message.json").read_bytes().replace(b"109876543210", b"999999")
    await client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    await jobs.drain()
    [event] = await events(rt)
    assert event.status == "unrouted"
    assert await tickets(rt) == 0


async def test_a_redelivered_webhook_makes_one_message(client, rt, seed, jobs):
    body = (FIXTURES / "text_message.json").read_bytes()
    for _ in range(3):
        assert (
            await client.post("/webhooks/whatsapp", content=body, headers=signed(body))
        ).status_code == 200
    await jobs.drain()
    assert [e.status for e in await events(rt)] == ["processed"] * 3
    assert await tickets(rt) == 1


async def test_an_unknown_channel_is_404(client, seed):
    assert (await client.post("/webhooks/fax", content=b"{}")).status_code == 404
