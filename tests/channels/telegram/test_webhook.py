"""POST /webhooks/telegram: the secret token proves Telegram and names the office's bot; what
is stored is processed once, and chats that are not the office's are ignored."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from helpdesk.models import InboundEvent, Message, Ticket
from tests.channels.telegram.conftest import (
    BREBES_SECRET,
    BREBES_TOKEN,
    CITIZEN_TG,
    OTHER_GROUP,
    TOMOHON_SECRET,
    TOMOHON_TOKEN,
    deliver,
)


async def count(rt, model) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def bot_id(token: str) -> str:
    return token.split(":")[0]


async def test_a_wrong_or_missing_secret_token_gets_403_and_stores_nothing(
    client, rt, staff, telegram_sim
):  # type: ignore[no-untyped-def]
    update = telegram_sim.write(
        "private", bot_id=bot_id(BREBES_TOKEN), user_id=CITIZEN_TG, text="KTP saya hilang"
    )
    assert await deliver(client, update, "not-the-secret") == 403
    response = await client.post("/webhooks/telegram", json=update)
    assert response.status_code == 403
    assert response.json()["error"] == "bad_signature"
    assert await count(rt, InboundEvent) == 0


async def test_the_secret_token_routes_the_update_to_its_offices_bot(
    client, rt, jobs, seed, staff, telegram_sim
):  # type: ignore[no-untyped-def]
    brebes = telegram_sim.write(
        "private", bot_id=bot_id(BREBES_TOKEN), user_id=CITIZEN_TG, text="KTP saya hilang"
    )
    tomohon = telegram_sim.write(
        "private", bot_id=bot_id(TOMOHON_TOKEN), user_id=CITIZEN_TG, text="KK saya salah"
    )
    assert await deliver(client, brebes, BREBES_SECRET) == 200
    assert await deliver(client, tomohon, TOMOHON_SECRET) == 200
    await jobs.drain()
    async with rt.sessions() as session:
        tickets = list(await session.scalars(select(Ticket).order_by(Ticket.id)))
    assert [(t.channel, t.office_id) for t in tickets] == [
        ("telegram", seed.offices["brebes"]),
        ("telegram", seed.offices["tomohon"]),
    ]
    assert tickets[0].register_no.startswith("ADU/BREBES/")
    assert tickets[1].register_no.startswith("ADU/TOMOHON/")


async def test_a_duplicate_update_adds_nothing(client, rt, jobs, staff, telegram_sim):  # type: ignore[no-untyped-def]
    update = telegram_sim.write(
        "private", bot_id=bot_id(BREBES_TOKEN), user_id=CITIZEN_TG, text="Akta kelahiran anak"
    )
    for _ in range(3):
        assert await deliver(client, update, BREBES_SECRET) == 200
    await jobs.drain()
    assert await count(rt, Ticket) == 1
    assert await count(rt, Message) == 1


async def test_a_message_from_a_chat_that_is_not_the_admin_group_is_ignored_and_logged(
    client, rt, jobs, staff, telegram_sim, caplog
):  # type: ignore[no-untyped-def]
    update = telegram_sim.write(
        "group",
        bot_id=bot_id(BREBES_TOKEN),
        chat_id=OTHER_GROUP,
        user_id=7001,
        text="/status ADU/BREBES/2026/000001",
    )
    with caplog.at_level(logging.WARNING):
        assert await deliver(client, update, BREBES_SECRET) == 200
        await jobs.drain()
    assert await count(rt, Message) == 0
    assert f"chat {OTHER_GROUP}, not its staff group" in caplog.text
    assert telegram_sim.store.sent_by_bot() == []  # nothing said to strangers


async def test_an_unreadable_update_is_kept_as_rejected(client, rt, jobs, staff):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/webhooks/telegram",
        content=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": BREBES_SECRET},
    )
    assert response.status_code == 200
    await jobs.drain()
    async with rt.sessions() as session:
        event = (await session.scalars(select(InboundEvent))).one()
    assert event.status == "rejected"
