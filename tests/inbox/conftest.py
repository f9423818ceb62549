"""Helpers for the inbox UI tests: signing in through the real form, tickets from real ingest."""

from __future__ import annotations

import re
from typing import Any

import pytest
from httpx import AsyncClient, Response

from helpdesk.auth import load_principal
from helpdesk.db import transaction
from helpdesk.models import MessageStatus, OutboxItem, OutboxState, Ticket
from helpdesk.outbox import queue_reply
from helpdesk.runtime import Runtime
from tests.conftest import PASSWORD, TOMOHON_WA, Seed, inbound

CSRF_COOKIE = "helpdesk_csrf"
HTMX = {"HX-Request": "true"}


async def csrf_token(client: AsyncClient) -> str:
    """The token a form of this browser would carry (the CSRF cookie, set by any GET)."""
    if not client.cookies.get(CSRF_COOKIE):
        await client.get("/login")
    token = client.cookies.get(CSRF_COOKIE)
    assert token, "a GET should set the CSRF cookie"
    return token


async def post_form(client: AsyncClient, url: str, data: dict[str, Any], **kwargs: Any) -> Response:
    """A browser form post: the fields, the CSRF token, no redirect following."""
    fields = {"_csrf_token": await csrf_token(client), **data}
    kwargs.setdefault("follow_redirects", False)
    return await client.post(url, data=fields, **kwargs)


async def login(
    client: AsyncClient, username: str, password: str = PASSWORD, next: str = "/"
) -> Response:
    return await post_form(
        client, "/login", {"username": username, "password": password, "next": next}
    )


def ids_in(html: str, prefix: str = "/tickets/") -> set[int]:
    return {int(n) for n in re.findall(re.escape(prefix) + r"(\d+)\"", html)}


@pytest.fixture
async def brebes(client: AsyncClient, seed: Seed) -> AsyncClient:
    """A browser signed in as the Brebes admin."""
    response = await login(client, "admin_brebes")
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def ticket(receive):  # type: ignore[no-untyped-def]
    """`await ticket("text", office="tomohon", **inbound_kwargs)` -> the ticket id."""

    async def _ticket(text: str = "KTP saya rusak", *, office: str = "brebes", **kw: Any) -> int:
        if office == "tomohon":
            kw.setdefault("account", TOMOHON_WA)
            kw.setdefault("sender", "6285200000001")
        received = await receive(inbound(text, **kw))
        return received.ticket_id

    return _ticket


async def failed_reply(
    rt: Runtime,
    seed: Seed,
    ticket_id: int,
    *,
    code: str | None = "131047",
    error: str | None = "[131047] Re-engagement message",
    body: str = "Silakan datang ke kantor.",
) -> int:
    """A reply the outbox gave up on, as `helpdesk.outbox` leaves it."""
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, ticket_id)
        principal = await load_principal(session, seed.users["admin_brebes"])
        assert principal is not None
        message, item = await queue_reply(session, ticket, principal, body)
        item.state = OutboxState.failed
        message.status, message.error, message.error_code = MessageStatus.failed, error, code
        return message.id


async def outbox_state(rt: Runtime, message_id: int) -> tuple[str, str]:
    from sqlalchemy import select

    from helpdesk.models import Message

    async with rt.sessions() as session:
        message = await session.get_one(Message, message_id)
        item = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == message_id))
        assert item is not None
        return message.status, item.state
