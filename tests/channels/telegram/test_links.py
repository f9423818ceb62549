"""Linking a Telegram account to an inbox user with a one-time code sent to the bot."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.auth import load_principal
from helpdesk.consultation_mirror import links
from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Message, StaffIdentity
from tests.channels.telegram.conftest import BREBES_SECRET, BREBES_TOKEN, GROUP_ADMIN_TG, deliver

BREBES_BOT = BREBES_TOKEN.split(":")[0]


async def new_code(rt, user_id: int) -> str:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        principal = await load_principal(session, user_id)
        assert principal is not None
        code, _ = await links.new_code(session, principal)
    return code


async def test_a_code_sent_to_the_bot_in_private_links_the_account_once(
    client, rt, jobs, staff, telegram_sim
):  # type: ignore[no-untyped-def]
    user_id = staff.users["groupadmin_brebes"]
    code = await new_code(rt, user_id)
    link = telegram_sim.write(
        "private",
        bot_id=BREBES_BOT,
        user_id=GROUP_ADMIN_TG,
        first_name="Budi",
        text=f"/link {code.lower()}",
    )
    again = telegram_sim.write(
        "private", bot_id=BREBES_BOT, user_id=GROUP_ADMIN_TG + 1, text=f"/link {code}"
    )
    for update in (link, again):
        assert await deliver(client, update, BREBES_SECRET) == 200
        await jobs.drain()

    async with rt.sessions() as session:
        identities = list(await session.scalars(select(StaffIdentity)))
        audit = list(
            await session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user_id))
        )
        messages = list(await session.scalars(select(Message)))
    assert [(i.user_id, i.external_id) for i in identities] == [(user_id, str(GROUP_ADMIN_TG))]
    assert audit == ["staff_link.code_created", "staff_link.linked"]
    assert messages == []  # a staff command is never a citizen's complaint
    replies = [m["text"] for m in telegram_sim.store.sent_by_bot()]
    assert "tertaut ke Group Admin Brebes (groupadmin_brebes)" in replies[0]
    assert "tidak dikenal" in replies[1]  # used codes do not work twice


async def test_a_new_code_replaces_the_old_and_expired_codes_do_not_work(rt, staff):  # type: ignore[no-untyped-def]
    user_id = staff.users["groupadmin_brebes"]
    old = await new_code(rt, user_id)
    new = await new_code(rt, user_id)
    async with transaction(rt.sessions) as session:
        try:
            await links.redeem(session, "telegram", "1", "x", old)
            raise AssertionError("an old code linked")
        except links.LinkRefused:
            pass
        user = await links.redeem(session, "telegram", "1", "x", new)
    assert user.id == user_id


async def test_a_code_posted_in_the_group_is_refused(client, rt, jobs, staff, telegram_sim):  # type: ignore[no-untyped-def]
    from tests.channels.telegram.conftest import BREBES_GROUP

    code = await new_code(rt, staff.users["groupadmin_brebes"])
    update = telegram_sim.write(
        "group",
        bot_id=BREBES_BOT,
        chat_id=BREBES_GROUP,
        user_id=GROUP_ADMIN_TG,
        text=f"/link {code}",
    )
    assert await deliver(client, update, BREBES_SECRET) == 200
    await jobs.drain()
    async with rt.sessions() as session:
        assert list(await session.scalars(select(StaffIdentity))) == []
    assert "secara pribadi" in telegram_sim.store.sent_by_bot(BREBES_GROUP)[-1]["text"]
