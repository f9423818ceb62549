"""Requests that only read: on SQLite a GET reads from a snapshot beside the one writer instead
of queueing behind it; a GET handler that writes says so and keeps the writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import Provide
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.db import transaction
from helpdesk.models import Office, Ticket
from helpdesk.runtime import Runtime
from helpdesk.web.deps import WRITES_ON_GET, provide_db
from tests.conftest import inbound


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_get_answers_while_a_write_transaction_is_open(client, seed, receive, rt):
    ticket_id = (await receive(inbound("KTP saya rusak"))).ticket_id
    url = f"/api/v1/tickets/{ticket_id}"
    before = (await client.get(url, headers=seed.bearer("admin_brebes"))).json()["category"]

    async with transaction(rt.sessions) as writer:  # holds the write lock and the writer
        await writer.execute(update(Ticket).where(Ticket.id == ticket_id).values(category="akta"))
        during = await client.get(url, headers=seed.bearer("admin_brebes"))
        assert during.status_code == 200
        assert during.json()["category"] == before  # the last committed state, not the pending

    after = await client.get(url, headers=seed.bearer("admin_brebes"))
    assert after.json()["category"] == "akta"  # a GET after the commit sees it


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_write_on_the_read_session_fails_loudly(rt, seed):
    assert rt.read_sessions is not None
    async with rt.read_sessions() as session:
        with pytest.raises(OperationalError, match="readonly"):
            await session.execute(update(Office).values(name="Dinas Lain"))
    assert "Dinas Lain" not in await _office_names(rt)


def _probe_app(rt: Runtime) -> Litestar:
    """GET handlers that write: one declares it, one does not."""

    async def rename(db: AsyncSession, name: str) -> dict[str, Any]:
        await db.execute(update(Office).where(Office.code == "brebes").values(name=name))
        await db.commit()
        return {"renamed": name}

    @get("/declared", opt=WRITES_ON_GET)
    async def declared(db: AsyncSession) -> dict[str, Any]:
        return await rename(db, "Dinas Dinyatakan")

    @get("/undeclared")
    async def undeclared(db: AsyncSession) -> dict[str, Any]:
        return await rename(db, "Dinas Diam-diam")

    return Litestar(
        route_handlers=[declared, undeclared],
        dependencies={"db": Provide(provide_db)},
        state=State({"runtime": rt}),
    )


@pytest.fixture
async def probe(rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_probe_app(rt))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def test_a_get_handler_that_declares_its_write_keeps_the_writer(probe, rt, seed):
    response = await probe.get("/declared")
    assert response.status_code == 200
    assert "Dinas Dinyatakan" in await _office_names(rt)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_an_undeclared_write_on_get_fails_and_changes_nothing(probe, rt, seed):
    response = await probe.get("/undeclared")
    assert response.status_code == 500
    assert "Dinas Diam-diam" not in await _office_names(rt)


async def _office_names(rt: Runtime) -> set[str]:
    async with rt.sessions() as session:
        return set(await session.scalars(select(Office.name)))
