"""Answering counter, phone and web tickets on the citizen's WhatsApp or email: the reply says
the way it really went, and a WhatsApp number that never wrote in gets the account's approved
first-contact template, or a visible failure saying what to set. Against the WhatsApp
simulator (which refuses free text outside the 24-hour window, as Meta does), on both
databases."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select

import helpdesk
from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig
from helpdesk import first_contact, outbox
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.message_templates import templates_for
from helpdesk.models import (
    ChannelAccount,
    Direction,
    Message,
    MessageStatus,
    Office,
    OutboxState,
    Role,
    Ticket,
    utcnow,
)
from helpdesk.offices import OfficesFileError, parse_offices
from helpdesk.replies import reply_options
from helpdesk.walk_in import InPerson, queue_receipt, register
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA, OFFICES_TOML, inbound

WABA = "102290129340398"  # the simulator's business account
CITIZEN = "6281234567890"


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        business_account_id=WABA,
        enforce_reply_window=True,
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


async def configure(rt, **values: str) -> None:  # type: ignore[no-untyped-def]
    """Brebes' WhatsApp number as the offices file would give it, plus `values`."""
    async with transaction(rt.sessions) as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        account.config = {**account.config, "business_account_id": WABA, **values}
    rt.forget_accounts()


async def walk_in(rt, seed, channel: str = "counter", **fields: str) -> int:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        office = (await session.scalars(select(Office).where(Office.code == "brebes"))).one()
        cs = Principal(
            seed.users["admin_brebes"], "admin_brebes", "Admin", False, {office.id: Role.admin}
        )
        complaint = InPerson(channel=channel, name="Budi Santoso", text="KK rusak", **fields)
        ticket = await register(session, office, cs, complaint)
        return ticket.id


def admin(seed) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(
        seed.users["admin_brebes"],
        "admin_brebes",
        "Admin",
        False,
        {seed.offices["brebes"]: Role.admin},
    )


async def answer(rt, seed, tid: int, body: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, tid)
        message, item = await outbox.queue_reply(session, ticket, admin(seed), body)
        return message.id, item.id


async def message(rt, message_id: int) -> Message:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(Message, message_id)


@pytest.mark.parametrize("channel", ["counter", "phone"])
async def test_an_answer_carries_the_kind_of_the_account_it_goes_out_on(
    rt, seed, simulator, channel
):
    tid = await walk_in(rt, seed, channel, phone="0812-3456-7890")
    message_id, _ = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    sent = await message(rt, message_id)
    assert (sent.direction, sent.channel) == (Direction.outbound, "whatsapp")
    async with rt.sessions() as session:
        ticket = await session.get_one(Ticket, tid)
    assert ticket.channel == channel  # the ticket still says how the complaint came in


async def test_an_answer_by_email_says_email(rt, seed):
    async with transaction(rt.sessions) as session:
        session.add(
            ChannelAccount(
                office_id=seed.offices["brebes"],
                kind="email",
                key="aduan@brebes.example",
                label="Surel",
                config={"address": "aduan@brebes.example"},
            )
        )
    tid = await walk_in(rt, seed, email="budi@example.id")
    message_id, _ = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    assert (await message(rt, message_id)).channel == "email"


async def test_without_a_template_an_answer_to_a_number_that_never_wrote_fails_saying_what_to_set(
    rt, seed, simulator
):
    await configure(rt)
    tid = await walk_in(rt, seed, phone="0812-3456-7890")
    async with rt.sessions() as session:
        options = await reply_options(rt, session, await session.get_one(Ticket, tid))
    assert not options.free_form_open and options.templates  # the reply box warns
    message_id, item_id = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    outcome = await outbox.send_item(rt, item_id)
    failed = await message(rt, message_id)
    assert outcome.state == OutboxState.failed
    assert failed.status == MessageStatus.failed
    assert failed.error_code == first_contact.NO_TEMPLATE
    assert "first_contact_template" in (failed.error or "")
    assert simulator.store.outbound() == []  # refused before Meta was asked


async def test_the_receipt_goes_as_the_configured_template_to_a_number_that_never_wrote(
    rt, seed, simulator
):
    await configure(
        rt,
        first_contact_template="tindak_lanjut_pengaduan",
        first_contact_parameters="name,register_no",
    )
    tid = await walk_in(rt, seed, phone="0812-3456-7890")
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, tid)
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        item = await queue_receipt(session, ticket, admin(seed), account, "Tanda terima …")
        register_no, item_id, message_id = ticket.register_no, item.id, item.message_id
    outcome = await outbox.send_item(rt, item_id)
    assert outcome.state == OutboxState.done
    [sent] = simulator.store.outbound()
    assert (sent.type, sent.citizen) == ("template", CITIZEN)
    assert sent.details["parameters"] == ["Budi Santoso", register_no]
    stored = await message(rt, message_id)
    # The timeline shows what the citizen read; the text written is kept beside it.
    assert f"Yth. Budi Santoso, pengaduan Anda dengan nomor register {register_no}" in stored.body
    assert stored.details["template"]["name"] == "tindak_lanjut_pengaduan"
    assert stored.details["first_contact"]["written"] == "Tanda terima …"
    assert stored.status == MessageStatus.sent and stored.external_id == sent.id


async def test_a_template_that_does_not_fit_fails_with_the_reason(rt, seed, simulator):
    await configure(
        rt, first_contact_template="tindak_lanjut_pengaduan", first_contact_parameters="text"
    )
    tid = await walk_in(rt, seed, phone="0812-3456-7890")
    message_id, item_id = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    await outbox.send_item(rt, item_id)
    failed = await message(rt, message_id)
    assert failed.status == MessageStatus.failed
    assert failed.error_code == first_contact.BAD_TEMPLATE
    assert "first_contact_parameters" in (failed.error or "")
    assert simulator.store.outbound() == []


async def test_once_the_citizen_has_written_to_the_number_the_answer_goes_as_written(
    rt, seed, simulator, receive
):
    await configure(rt, first_contact_template="tindak_lanjut_pengaduan")
    tid = await walk_in(rt, seed, phone="0812-3456-7890")
    await receive(inbound("Apakah KK saya sudah jadi?", sender=CITIZEN))
    # Meta's side of the same: the citizen wrote to the number just now.
    async with httpx.AsyncClient() as http:
        written = await http.post(
            f"{simulator.base_url}/_sim/inbound",
            json={"phone_number_id": BREBES_WA, "from": CITIZEN, "text": "Apakah KK saya?"},
        )
    written.raise_for_status()
    message_id, item_id = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    assert (await outbox.send_item(rt, item_id)).state == OutboxState.done
    [sent] = simulator.store.outbound()
    assert (sent.type, sent.text) == ("text", "KK Anda sudah dicetak.")
    assert (await message(rt, message_id)).body == "KK Anda sudah dicetak."


async def test_the_reply_box_is_told_which_template_a_free_reply_goes_as(
    rt, seed, simulator, receive
):
    tid = await walk_in(rt, seed, phone="0812-3456-7890")

    async def stand_in() -> str | None:
        async with rt.sessions() as session:
            ticket = await session.get_one(Ticket, tid)
            decided = await first_contact.free_reply_now(rt, session, ticket)
        if decided.way != first_contact.Way.as_template or decided.template is None:
            return None
        return decided.template.name

    await configure(rt)
    assert await stand_in() is None  # none named: the reply fails, the box warns
    await configure(rt, first_contact_template="tindak_lanjut_pengaduan")
    assert await stand_in() == "tindak_lanjut_pengaduan"
    async with transaction(rt.sessions) as session:  # no business account: no template to list
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        account.config = {k: v for k, v in account.config.items() if k != "business_account_id"}
    assert await stand_in() is None
    await configure(rt)
    assert await stand_in() == "tindak_lanjut_pengaduan"
    await receive(inbound("Apakah KK saya sudah jadi?", sender=CITIZEN))  # the window opens
    assert await stand_in() is None  # the text goes as written


def test_the_offices_file_refuses_a_first_contact_value_it_cannot_fill():
    bad = OFFICES_TOML.replace(
        'verify_token = "test-verify-token"\n',
        'verify_token = "test-verify-token"\nfirst_contact_parameters = "name,nik"\n',
        1,
    )
    with pytest.raises(OfficesFileError, match="first_contact_parameters: unknown nik"):
        parse_offices(bad)


async def test_migration_0014_gives_old_replies_the_channel_they_went_out_on(rt, seed):
    tid = await walk_in(rt, seed, phone="0812-3456-7890")
    message_id, _ = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    async with transaction(rt.sessions) as session:  # as the helpdesk stored it before
        (await session.get_one(Message, message_id)).channel = "counter"
    migration = _migration("0014_reply_channels.py")

    def upgrade(connection):  # type: ignore[no-untyped-def]
        with Operations.context(MigrationContext.configure(connection)):
            migration.upgrade()

    async with rt.engine.begin() as connection:
        await connection.run_sync(upgrade)
    async with rt.sessions() as session:
        channels = dict(
            (
                await session.execute(
                    select(Message.direction, Message.channel).where(Message.ticket_id == tid)
                )
            ).all()
        )
    assert channels == {Direction.inbound: "counter", Direction.outbound: "whatsapp"}


def _migration(name: str):  # type: ignore[no-untyped-def]
    path = Path(helpdesk.__file__).parent / "migrations" / "versions" / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TEMPLATE = "tindak_lanjut_pengaduan"


@dataclass(frozen=True)
class Case:
    channel: str  # how the complaint came in; "whatsapp": the citizen's own chat
    named: str | None  # the number's first_contact_template
    verdict: str  # what the reply box shows and the send does: text, template:<name>, refused
    error_code: str | None = None  # why a refused reply failed
    listing: bool = True  # the number has its template listing (a business account)
    wrote: bool = False  # the citizen wrote to the number within its window
    parameters: str | None = None  # the number's first_contact_parameters, when not the default


AGREEMENT = {
    "own chat, window open": Case("whatsapp", None, "text", wrote=True),
    "own chat, window closed, a template named": Case(
        "whatsapp", TEMPLATE, "refused", "window_closed"
    ),
    "counter, never wrote, no template": Case(
        "counter", None, "refused", first_contact.NO_TEMPLATE
    ),
    "counter, never wrote, a template named": Case("counter", TEMPLATE, f"template:{TEMPLATE}"),
    "phone, never wrote, a template named": Case("phone", TEMPLATE, f"template:{TEMPLATE}"),
    "phone, never wrote, a template named but no listing": Case(
        "phone", TEMPLATE, "refused", first_contact.BAD_TEMPLATE, listing=False
    ),
    "counter, wrote just now, a template named": Case("counter", TEMPLATE, "text", wrote=True),
    # Stored without `offices load`'s check: the box no longer promises what cannot be filled.
    "counter, never wrote, a template named with an unknown value": Case(
        "counter", TEMPLATE, "refused", first_contact.BAD_TEMPLATE, parameters="name,nik"
    ),
    # Checked against the listing the box fetched: no promise the send cannot keep.
    "counter, never wrote, a template the listing lacks": Case(
        "counter", "tindak_lanjut_lama", "refused", first_contact.BAD_TEMPLATE
    ),
    "counter, never wrote, a template the platform will not send": Case(
        "counter", "promo_jemput_bola_ktp", "refused", first_contact.BAD_TEMPLATE
    ),
    "counter, never wrote, a template with another count of values": Case(
        "counter", TEMPLATE, "refused", first_contact.BAD_TEMPLATE, parameters="name"
    ),
}


async def box_says(rt, tid: int) -> str:  # type: ignore[no-untyped-def]
    """What the reply box shows before a free reply is written: the rule, checked against the
    template listing the box fetches when the window is closed (`inbox.reply_views`)."""
    async with rt.sessions() as session:
        ticket = await session.get_one(Ticket, tid)
        options = await reply_options(rt, session, ticket)
        decided = await first_contact.free_reply_now(rt, session, ticket)
        account = await session.get_one(ChannelAccount, ticket.channel_account_id)
    fetched = options.templates and not options.free_form_open
    listing = await templates_for(rt, account) if fetched else None
    decided = first_contact.checked_against(decided, listing)
    if decided.way == first_contact.Way.as_template and not decided.unverified:
        assert decided.template is not None
        return f"template:{decided.template.name}"  # "goes as the approved template …"
    return "text" if options.free_form_open else "refused"  # else "cannot arrive" and why


@pytest.mark.parametrize("case", AGREEMENT.values(), ids=AGREEMENT.keys())
async def test_the_reply_box_and_the_outbox_decide_a_free_reply_alike(
    rt, seed, simulator, receive, case: Case
):
    values = {"first_contact_template": case.named} if case.named else {}
    if case.parameters is not None:
        values["first_contact_parameters"] = case.parameters
    await configure(rt, **values)
    if not case.listing:
        async with transaction(rt.sessions) as session:
            account = await session.scalar(
                select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
            )
            account.config = {k: v for k, v in account.config.items() if k != "business_account_id"}
        rt.forget_accounts()
    if case.channel == "whatsapp":
        tid = (await receive(inbound("KK saya rusak", sender=CITIZEN))).ticket_id
    else:
        tid = await walk_in(rt, seed, case.channel, phone="0812-3456-7890")
    if case.wrote:
        await receive(inbound("Apakah KK saya sudah jadi?", sender=CITIZEN))
        async with httpx.AsyncClient() as http:  # Meta's side: the citizen wrote just now
            written = await http.post(
                f"{simulator.base_url}/_sim/inbound",
                json={"phone_number_id": BREBES_WA, "from": CITIZEN, "text": "Apakah KK saya?"},
            )
        written.raise_for_status()
    elif case.channel == "whatsapp":  # the ticket's own chat, last written two days ago
        async with transaction(rt.sessions) as session:
            ticket = await session.get_one(Ticket, tid)
            ticket.last_inbound_at = utcnow() - timedelta(days=2)

    shown = await box_says(rt, tid)
    message_id, item_id = await answer(rt, seed, tid, "KK Anda sudah dicetak.")
    outcome = await outbox.send_item(rt, item_id)
    stored = await message(rt, message_id)
    sent = simulator.store.outbound()
    if outcome.state == OutboxState.failed:
        assert sent == []  # refused before the platform was asked to deliver anything
        did = "refused"
    else:
        [one] = sent
        did = f"template:{one.details['template']}" if one.type == "template" else one.type
    assert shown == did == case.verdict
    assert stored.error_code == case.error_code
