"""A citizen writing to the office's bot in private: a ticket like any channel's, answered by
sendMessage; photos and documents fetched with getFile."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.models import Attachment, Message, Ticket
from tests.channels.telegram.conftest import BREBES_SECRET, BREBES_TOKEN, CITIZEN_TG, deliver

BREBES_BOT = BREBES_TOKEN.split(":")[0]


async def test_a_message_to_the_bot_opens_a_ticket_and_the_inbox_reply_goes_back(
    client, rt, jobs, seed, staff, telegram_sim
):  # type: ignore[no-untyped-def]
    start = telegram_sim.write("private", bot_id=BREBES_BOT, user_id=CITIZEN_TG, text="/start")
    update = telegram_sim.write(
        "private",
        bot_id=BREBES_BOT,
        user_id=CITIZEN_TG,
        first_name="Siti",
        text="Akta kelahiran anak saya salah tanggal",
    )
    for sent in (start, update):
        assert await deliver(client, sent, BREBES_SECRET) == 200
    await jobs.drain()
    async with rt.sessions() as session:
        ticket = (await session.scalars(select(Ticket))).one()
        [message] = list(await session.scalars(select(Message)))
    assert ticket.channel == "telegram" and ticket.category == "akta_kelahiran"
    assert message.body == "Akta kelahiran anak saya salah tanggal"  # /start is no complaint
    assert message.external_id == f"{CITIZEN_TG}:{update['message']['message_id']}"

    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/replies",
        json={"body": "Silakan datang ke loket 3 dengan KK asli."},
        headers=seed.bearer("admin_brebes"),
    )
    assert response.status_code == 202, response.text
    await jobs.drain()
    [answer] = telegram_sim.store.sent_by_bot(CITIZEN_TG)
    assert answer["text"] == "Silakan datang ke loket 3 dengan KK asli."
    async with rt.sessions() as session:
        reply = await session.get_one(Message, response.json()["id"])
    assert reply.status == "sent"
    assert reply.external_id == f"{CITIZEN_TG}:{answer['message_id']}"


async def test_a_photo_is_fetched_with_getfile_and_stored(client, rt, jobs, staff, telegram_sim):  # type: ignore[no-untyped-def]
    update = telegram_sim.write(
        "private", bot_id=BREBES_BOT, user_id=CITIZEN_TG, photo=True, caption="KTP saya patah"
    )
    assert await deliver(client, update, BREBES_SECRET) == 200
    await jobs.drain()
    await jobs.drain()
    async with rt.sessions() as session:
        message = (await session.scalars(select(Message))).one()
        attachment = (await session.scalars(select(Attachment))).one()
    assert message.content_kind == "image" and message.body == "KTP saya patah"
    assert attachment.status == "stored", attachment.error
    assert attachment.content_type == "image/jpeg"
    assert ("getFile") in [m for _, m in telegram_sim.store.calls]
