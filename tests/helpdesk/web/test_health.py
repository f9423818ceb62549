"""`/healthz` reads beside the one SQLite writer: a probe neither waits behind a long write
transaction (the ingest drain, an import) nor holds webhooks up behind its own read."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from helpdesk.db import transaction
from helpdesk.models import Office


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_health_answers_while_the_writer_is_held(client, seed, rt):
    async with transaction(rt.sessions) as writer:  # the one writer connection, write-locked
        await writer.execute(update(Office).values(name="Dinas Sementara"))
        async with asyncio.timeout(20):  # behind the writer it would wait out the pool's 60 s
            response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"status": "ok", "backend": "sqlite"}
    assert {c["office"] for c in body["channels"]} == {"brebes", "tomohon"}


async def test_health_reports_each_account(client, seed):
    response = await client.get("/healthz")
    assert response.status_code == 200
    channels = response.json()["channels"]
    assert {(c["office"], c["kind"]) for c in channels} >= {
        ("brebes", "whatsapp"),
        ("tomohon", "whatsapp"),
    }
