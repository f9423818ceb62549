"""The mailbox's health follows its connection, against the real Dovecot: an error shows on
the account (`/healthz`, the superuser's channel screen) while it lasts, and goes once polling
works again; an error that is not the poll loop's own stays."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import select, update

from helpdesk.db import transaction
from helpdesk.models import AccountHealth, ChannelAccount, ChannelCursor
from helpdesk.polling import POLL_ERROR
from helpdesk.runtime import Runtime
from tests.channels.email.conftest import PASSWORD, events, wait_for_events
from tests.channels.email.test_faults import CuttableProxy, _point_at
from tests.channels.email.test_mailbox import mail


async def account(rt: Runtime) -> ChannelAccount:
    async with rt.sessions() as session:
        return await session.scalar(select(ChannelAccount).where(ChannelAccount.kind == "email"))


async def wait_until(
    rt: Runtime, check: Callable[[ChannelAccount], bool], timeout: float = 30.0
) -> ChannelAccount:
    deadline = time.monotonic() + timeout
    while not check(found := await account(rt)):
        if time.monotonic() > deadline:
            raise AssertionError(f"account stayed {found.health!r}, {found.last_error!r}")
        await asyncio.sleep(0.1)
    return found


async def channel_status(client) -> dict:  # type: ignore[no-untyped-def]
    body = (await client.get("/healthz")).json()
    return next(c for c in body["channels"] if c["kind"] == "email")


async def test_a_fixed_password_makes_the_mailbox_healthy_again(rt, mailbox, pollers, client):
    world = await mailbox(imap_password="salah")
    pollers(auth_backoff=0.5)
    await wait_until(rt, lambda a: a.health == AccountHealth.needs_attention)
    shown = await channel_status(client)
    assert shown["status"] == "needs_attention"
    assert "IMAP login refused" in shown["last_error"]

    world.append(mail("KTP", "KTP saya hilang", message_id="pulih@warga.test"))
    await _point_at(rt, imap_password=PASSWORD)
    await wait_for_events(rt, 1)
    healed = await wait_until(rt, lambda a: a.health == AccountHealth.ok and not a.last_error)
    assert healed.last_error_at is None
    shown = await channel_status(client)
    assert shown["status"] == "ok" and shown["last_error"] is None


async def test_a_mailbox_back_after_an_outage_clears_the_error(rt, mailbox, pollers):
    world = await mailbox()
    proxy = CuttableProxy(world.imap.port, delay=0)
    try:
        await _point_at(rt, imap_port=str(proxy.port))
        pollers()
        world.append(mail("satu", "sebelum", message_id="sebelum@warga.test"))
        await wait_for_events(rt, 1)

        proxy.refusing = True  # the mail server goes down
        proxy.cut()
        down = await wait_until(rt, lambda a: a.last_error is not None)
        assert "IMAP" in down.last_error and down.health == AccountHealth.ok

        world.append(mail("dua", "sesudah", message_id="sesudah@warga.test"))
        proxy.refusing = False  # and comes back
        await wait_for_events(rt, 2)
        await wait_until(rt, lambda a: a.last_error is None)
        assert await events(rt) == 2
    finally:
        proxy.close()


async def test_recovery_leaves_a_newer_error_of_another_kind_alone(rt, mailbox, pollers):
    await mailbox(imap_password="salah")
    started = pollers(auth_backoff=0.5)
    await wait_until(rt, lambda a: a.health == AccountHealth.needs_attention)
    await started.close()
    # Meanwhile a reply failed to send: the account shows that error now.
    found = await account(rt)
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.id == found.id)
            .values(last_error="SMTP login refused: 535")
        )
    await _point_at(rt, imap_password=PASSWORD)
    pollers()  # a new process: what it knows of the recorded error is in the database
    deadline = time.monotonic() + 30
    while await recorded_poll_error(rt):  # gone once a round of polling worked
        assert time.monotonic() < deadline, "the poll loop never worked again"
        await asyncio.sleep(0.1)
    after = await account(rt)
    assert after.last_error == "SMTP login refused: 535"
    assert after.health == AccountHealth.needs_attention


async def recorded_poll_error(rt: Runtime) -> dict | None:
    async with rt.sessions() as session:
        return await session.scalar(
            select(ChannelCursor.value).where(ChannelCursor.name == POLL_ERROR)
        )
