"""A consultation mirrored to the office's Telegram admin group, and the group's answers."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from helpdesk import ingest
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount
from helpdesk.personal_data import mask
from tests.channels.telegram.conftest import (
    BREBES_GROUP,
    BREBES_SECRET,
    BREBES_TOKEN,
    GROUP_ADMIN_TG,
    PLAIN_BREBES_GROUP,
    STRANGER_TG,
    deliver,
)
from tests.channels.telegram.helpers import (
    NIK,
    brebes_ticket,
    consult,
    consultation_of,
    notes,
    take,
    ticket_of,
)
from tests.inbox.conftest import login

BREBES_BOT = BREBES_TOKEN.split(":")[0]


def group_posts(sim, chat_id: int) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in sim.store.sent_by_bot(chat_id)]


async def test_opening_a_consultation_posts_a_masked_summary_in_a_topic_of_its_own(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    ticket = await ticket_of(rt, ticket_id)

    topics = telegram_sim.store.topics[BREBES_GROUP]
    [(thread_id, title)] = topics.items()
    assert title.startswith(ticket.register_no)
    [summary] = group_posts(telegram_sim, BREBES_GROUP)
    assert summary["message_thread_id"] == thread_id
    assert f"Konsultasi tiket {ticket.register_no}" in summary["text"]
    assert "KTP-el" in summary["text"]
    assert "tidak ditemukan di SIAK" in summary["text"]
    assert NIK not in summary["text"]
    assert f"NIK {mask(NIK)} tidak ditemukan" in summary["text"]

    consultation = await consultation_of(rt, ticket_id)
    assert consultation.external_ref == f"topic:{BREBES_GROUP}:{thread_id}"
    [opening] = await notes(rt, ticket_id)
    assert opening.status == "sent" and opening.channel == "telegram"


async def test_a_second_consultation_on_the_ticket_goes_to_the_same_topic(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    await staff.link(rt, "groupadmin_brebes", GROUP_ADMIN_TG)
    [thread_id] = telegram_sim.store.topics[BREBES_GROUP]
    answer = telegram_sim.write(
        "group",
        bot_id=BREBES_BOT,
        chat_id=BREBES_GROUP,
        user_id=GROUP_ADMIN_TG,
        text="/jawab Perlu perekaman ulang di kecamatan.",
        thread_id=thread_id,
    )
    assert await deliver(client, answer, BREBES_SECRET) == 200
    await jobs.drain()
    response = await take(
        client, seed, "admin_brebes", ticket_id, "konsultasi_lagi", question="Jadwalnya kapan?"
    )
    assert response.status_code == 200, response.text
    await jobs.drain()
    assert list(telegram_sim.store.topics[BREBES_GROUP]) == [thread_id]
    assert group_posts(telegram_sim, BREBES_GROUP)[-1]["message_thread_id"] == thread_id


async def test_a_reply_in_the_topic_becomes_a_note_by_the_linked_inbox_user(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    await staff.link(rt, "groupadmin_brebes", GROUP_ADMIN_TG)
    [thread_id] = telegram_sim.store.topics[BREBES_GROUP]

    reply = telegram_sim.write(
        "group",
        bot_id=BREBES_BOT,
        chat_id=BREBES_GROUP,
        user_id=GROUP_ADMIN_TG,
        first_name="Pak Budi",
        text="Cek dulu di SIAK pusat, kemungkinan data ganda.",
        thread_id=thread_id,
    )
    assert await deliver(client, reply, BREBES_SECRET) == 200
    assert await deliver(client, reply, BREBES_SECRET) == 200  # re-delivered
    await jobs.drain()

    consultation = await consultation_of(rt, ticket_id)
    thread = [n for n in await notes(rt, ticket_id) if n.consultation_id == consultation.id]
    assert [n.body for n in thread][-1] == "Cek dulu di SIAK pusat, kemungkinan data ganda."
    assert len(thread) == 2  # the opening and one reply, however often Telegram delivers it
    assert thread[-1].author_id == staff.users["groupadmin_brebes"]
    assert thread[-1].details["linked"] is True
    # A note that came from the group is not posted back to it.
    assert len(group_posts(telegram_sim, BREBES_GROUP)) == 1


async def test_an_unlinked_member_is_shown_as_such_and_cannot_act(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    [thread_id] = telegram_sim.store.topics[BREBES_GROUP]
    before = await ticket_of(rt, ticket_id)

    for text in ("Saya kira perlu rekam ulang.", "/jawab Rekam ulang saja."):
        update = telegram_sim.write(
            "group",
            bot_id=BREBES_BOT,
            chat_id=BREBES_GROUP,
            user_id=STRANGER_TG,
            first_name="Orang Lain",
            text=text,
            thread_id=thread_id,
        )
        assert await deliver(client, update, BREBES_SECRET) == 200
    await jobs.drain()

    thread = await notes(rt, ticket_id)
    assert [n.body for n in thread[1:]] == ["Saya kira perlu rekam ulang."]
    assert thread[1].author_id is None
    assert thread[1].details == {"mirror": "group", "sender": "Orang Lain", "linked": False}
    after = await ticket_of(rt, ticket_id)
    assert after.step == before.step == "group_admin"
    refusal = group_posts(telegram_sim, BREBES_GROUP)[-1]
    assert "belum tertaut" in refusal["text"]
    assert refusal["message_thread_id"] == thread_id

    # The ticket page says who wrote it, and that they are not linked.
    assert (await login(client, "admin_brebes")).status_code == 303
    page = (await client.get(f"/tickets/{ticket_id}")).text
    assert "Anggota grup belum tertaut: Orang Lain" in page
    assert "Terkirim ke grup admin Telegram" in page  # the summary


async def test_jawab_takes_the_steps_answering_action_through_the_workflow_engine(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    await staff.link(rt, "groupadmin_brebes", GROUP_ADMIN_TG)
    [thread_id] = telegram_sim.store.topics[BREBES_GROUP]

    def command(text: str) -> dict:  # type: ignore[type-arg]
        return telegram_sim.write(
            "group",
            bot_id=BREBES_BOT,
            chat_id=BREBES_GROUP,
            user_id=GROUP_ADMIN_TG,
            text=text,
            thread_id=thread_id,
        )

    # The Group Admin's answer is the group_admin step's advice: the ticket moves on.
    assert (
        await deliver(client, command("/jawab Silakan rekam ulang di kecamatan."), BREBES_SECRET)
        == 200
    )
    await jobs.drain()
    ticket = await ticket_of(rt, ticket_id)
    assert ticket.step == "teruskan"
    consultation = await consultation_of(rt, ticket_id)
    assert consultation.status == "answered"
    advice = [
        n for n in await notes(rt, ticket_id) if n.body == "Silakan rekam ulang di kecamatan."
    ]
    assert [n.author_id for n in advice] == [staff.users["groupadmin_brebes"]]
    assert "tercatat" in group_posts(telegram_sim, BREBES_GROUP)[-1]["text"]

    # Forwarding the answer to the citizen is the admin's: the engine refuses the Group Admin.
    assert await deliver(client, command("/jawab Teruskan saja."), BREBES_SECRET) == 200
    await jobs.drain()
    assert (await ticket_of(rt, ticket_id)).step == "teruskan"
    assert "Ditolak (forbidden)" in group_posts(telegram_sim, BREBES_GROUP)[-1]["text"]
    assert not [n for n in await notes(rt, ticket_id) if "Teruskan saja" in n.body]


async def test_status_is_answered_only_for_tickets_the_member_may_see(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    ticket = await ticket_of(rt, ticket_id)
    await staff.link(rt, "groupadmin_brebes", GROUP_ADMIN_TG)
    await staff.link(rt, "kasie_tomohon", 7003)

    for user in (GROUP_ADMIN_TG, 7003):
        update = telegram_sim.write(
            "group",
            bot_id=BREBES_BOT,
            chat_id=BREBES_GROUP,
            user_id=user,
            text=f"/status {ticket.register_no}",
        )
        assert await deliver(client, update, BREBES_SECRET) == 200
        await jobs.drain()
    answers = [m["text"] for m in group_posts(telegram_sim, BREBES_GROUP)[1:]]
    assert answers[0].startswith(f"Status {ticket.register_no}: open")
    assert "Pejabat Bidang Teknis / Group Admin" in answers[0]
    assert "tidak punya peran di kantor ini" in answers[1]


async def test_in_a_plain_group_the_reply_chain_is_the_thread(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    await use_plain_group(rt)
    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    assert PLAIN_BREBES_GROUP not in telegram_sim.store.topics
    [summary] = group_posts(telegram_sim, PLAIN_BREBES_GROUP)
    assert "message_thread_id" not in summary
    await staff.link(rt, "groupadmin_brebes", GROUP_ADMIN_TG)

    def write(text: str, reply_to: int) -> dict:  # type: ignore[type-arg]
        return telegram_sim.write(
            "group",
            bot_id=BREBES_BOT,
            chat_id=PLAIN_BREBES_GROUP,
            user_id=GROUP_ADMIN_TG,
            text=text,
            reply_to=reply_to,
        )

    first = write("Sudah saya cek.", summary["message_id"])
    second = write("Datanya ganda.", first["message"]["message_id"])  # a reply to the reply
    chatter = telegram_sim.write(
        "group",
        bot_id=BREBES_BOT,
        chat_id=PLAIN_BREBES_GROUP,
        user_id=GROUP_ADMIN_TG,
        text="Selamat pagi semua",
    )
    for update in (first, second, chatter):
        assert await deliver(client, update, BREBES_SECRET) == 200
    await jobs.drain()
    consultation = await consultation_of(rt, ticket_id)
    assert consultation.external_ref == f"chain:{PLAIN_BREBES_GROUP}:{summary['message_id']}"
    thread = [n.body for n in await notes(rt, ticket_id) if n.consultation_id == consultation.id]
    assert thread[1:] == ["Sudah saya cek.", "Datanya ganda."]

    # A note written in the inbox's consultation thread goes to the group, in the chain.
    response = await take(
        client, seed, "groupadmin_brebes", ticket_id, "beri_jawaban", body="Rekam ulang, NIK " + NIK
    )
    assert response.status_code == 200, response.text
    await jobs.drain()
    posted = group_posts(telegram_sim, PLAIN_BREBES_GROUP)[-1]
    assert posted["text"].endswith("Group Admin Brebes:\nRekam ulang, NIK " + mask(NIK))
    assert posted["reply_to_message"]["message_id"] == summary["message_id"]


async def use_plain_group(rt) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        account = await session.scalar(
            select(ChannelAccount).where(
                ChannelAccount.kind == "telegram",
                ChannelAccount.key == BREBES_TOKEN.split(":")[0],
            )
        )
        account.config = {**account.config, "admin_group_id": str(PLAIN_BREBES_GROUP)}
    rt.forget_accounts()


async def test_without_a_staff_group_a_consultation_stays_in_the_inbox(
    client, rt, jobs, seed, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    ticket_id = await brebes_ticket(receive)  # Brebes has no Telegram account in this test
    await consult(client, seed, jobs, ticket_id)
    [opening] = await notes(rt, ticket_id)
    assert (opening.channel, opening.status) == (None, "received")
    assert telegram_sim.store.calls == []


async def test_jawab_with_a_register_number_answers_the_citizen_when_it_is_the_admins_turn(
    client, rt, jobs, seed, staff, receive, telegram_sim
):  # type: ignore[no-untyped-def]
    from helpdesk.models import Message

    ticket_id = await brebes_ticket(receive)
    await consult(client, seed, jobs, ticket_id)
    response = await take(
        client, seed, "groupadmin_brebes", ticket_id, "beri_jawaban", body="Rekam ulang."
    )
    assert response.status_code == 200
    await jobs.drain()
    await staff.link(rt, "admin_brebes", 7002)
    ticket = await ticket_of(rt, ticket_id)
    update = telegram_sim.write(
        "group",
        bot_id=BREBES_BOT,
        chat_id=BREBES_GROUP,
        user_id=7002,
        text=f"/jawab {ticket.register_no} Silakan rekam ulang di kecamatan.",
    )
    assert await deliver(client, update, BREBES_SECRET) == 200
    # Ingest only: the answer's own send (to a WhatsApp that is not there) stays queued.
    # (An in-process worker may have claimed it first: then wait for that one.)
    await ingest.process_pending(rt)
    for _ in range(200):
        if not await ingest.has_due_events(rt) and await pending_events(rt) == 0:
            break
        await asyncio.sleep(0.05)
    assert (await ticket_of(rt, ticket_id)).step == "rekap"
    async with rt.sessions() as session:
        [answer] = list(
            await session.scalars(
                select(Message).where(Message.ticket_id == ticket_id, Message.direction == "out")
            )
        )
    assert answer.body == "Silakan rekam ulang di kecamatan."
    assert answer.channel == "whatsapp"  # answered on the citizen's own channel
    assert answer.author_id == staff.users["admin_brebes"]


async def pending_events(rt) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from helpdesk.models import InboundEvent

    async with rt.sessions() as session:
        return int(
            await session.scalar(select(func.count()).where(InboundEvent.status == "pending")) or 0
        )
