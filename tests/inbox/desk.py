"""Helpers for the workflow desk's tests: more staff, one signed-in browser per user, and
reading what the database holds after a form was posted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Membership, Role, Ticket, User
from helpdesk.runtime import Runtime
from tests.conftest import Seed, _password_hash
from tests.inbox.conftest import login

DESK_STAFF = (
    ("cs_brebes", "brebes", Role.cs),
    ("groupadmin_brebes", "brebes", Role.group_admin),
    ("kasie_brebes", "brebes", Role.kasie),
    ("kabid_tomohon", "tomohon", Role.kabid),
    ("kadis_tomohon", "tomohon", Role.kadis),
    ("cs_tomohon", "tomohon", Role.cs),
)

Browser = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def desk_staff(rt: Runtime, seed: Seed) -> Seed:
    """The seed plus a CS, Group Admin and Kasie in Brebes, a Kabid, Kadis and CS in Tomohon."""
    async with transaction(rt.sessions) as session:
        for username, office, role in DESK_STAFF:
            user = User(
                username=username,
                full_name=username.replace("_", " ").title(),
                password_hash=_password_hash(),
            )
            session.add(user)
            await session.flush()
            session.add(Membership(user_id=user.id, office_id=seed.offices[office], role=role))
            seed.users[username] = user.id
    return seed


@pytest.fixture
def browser_for(app: Any, desk_staff: Seed) -> Browser:
    """`async with browser_for("kabid_tomohon") as b:` a client signed in as that user."""

    @asynccontextmanager
    async def _open(username: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            response = await login(c, username)
            assert response.status_code == 303, response.text
            yield c

    return _open


async def ticket_row(rt: Runtime, ticket_id: int) -> Ticket:
    async with rt.sessions() as session:
        return await session.get_one(Ticket, ticket_id)


async def audit_count(rt: Runtime, ticket_id: int) -> int:
    async with rt.sessions() as session:
        return (
            await session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.ticket_id == ticket_id)
            )
            or 0
        )


async def snapshot(rt: Runtime, ticket_id: int) -> tuple[Any, ...]:
    """What a refused action must leave as it was."""
    t = await ticket_row(rt, ticket_id)
    return (t.step, t.status, t.assignee_id, t.due_at, await audit_count(rt, ticket_id))
