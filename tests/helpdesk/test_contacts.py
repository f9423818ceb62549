"""Contacts across channels: proposals, dismissals, merging, and ingest after a merge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import contacts
from helpdesk.auth import load_principal
from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Contact, ContactIdentity, Membership, Ticket, User
from tests.conftest import TOMOHON_WA, inbound


async def _principal(rt, user_id):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        principal = await load_principal(session, user_id)
        assert principal is not None
        return principal


async def _contact_of(rt, ticket_id: int) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return (await session.get_one(Ticket, ticket_id)).contact_id


async def _facebook_contact(rt, office_id: int, name: str, psid: str = "2468") -> int:  # type: ignore[no-untyped-def]
    """A contact as the Facebook channel makes one: a page-scoped id, no phone number."""
    async with transaction(rt.sessions) as session:
        contact = Contact(office_id=office_id, name=name)
        session.add(contact)
        await session.flush()
        session.add(
            ContactIdentity(
                office_id=office_id,
                contact_id=contact.id,
                channel="facebook",
                external_id=psid,
                display=name,
            )
        )
        return contact.id


async def test_the_same_person_on_two_channels_is_two_contacts_with_a_proposal(rt, seed, receive):
    wa = await receive(inbound("KTP hilang", sender="6281299990001", name="Budi Santoso"))
    wa_contact = await _contact_of(rt, wa.ticket_id)
    fb_contact = await _facebook_contact(rt, seed.offices["brebes"], "Bpk. Budi Santoso")
    assert wa_contact != fb_contact
    async with rt.sessions() as session:
        contact = await session.get_one(Contact, fb_contact)
        proposals = await contacts.proposals_for(session, contact)
    assert [(p.contact.id, p.reasons) for p in proposals] == [(wa_contact, ["name"])]


async def test_a_phone_number_written_differently_is_proposed(rt, seed, receive):
    wa = await receive(
        inbound("KK", sender="6281299990002", name="Siti", sender_phone="6281299990002")
    )
    wa_contact = await _contact_of(rt, wa.ticket_id)
    async with transaction(rt.sessions) as session:
        walk_in = Contact(office_id=seed.offices["brebes"], name="Ibu S.", phone="0812-9999-0002")
        session.add(walk_in)
        await session.flush()
        proposals = await contacts.proposals_for(session, walk_in)
    assert [(p.contact.id, p.reasons) for p in proposals] == [(wa_contact, ["phone"])]


async def test_nothing_is_proposed_across_offices(rt, seed, receive):
    await receive(inbound("KTP", sender="6281299990003", name="Budi Santoso"))
    tomohon = await receive(
        inbound("KTP", sender="6281299990003", name="Budi Santoso", account=TOMOHON_WA)
    )
    tomohon_contact = await _contact_of(rt, tomohon.ticket_id)
    async with rt.sessions() as session:
        contact = await session.get_one(Contact, tomohon_contact)
        assert await contacts.proposals_for(session, contact) == []


async def test_merging_moves_identities_and_tickets_and_ingest_lands_on_the_survivor(
    rt, seed, receive
):
    first = await receive(inbound("KTP rusak", sender="6281299990004", name="Rina"))
    second = await receive(inbound("Akta lahir", sender="6281299990005", name="Rina"))
    survivor_id = await _contact_of(rt, first.ticket_id)
    merged_id = await _contact_of(rt, second.ticket_id)
    admin = await _principal(rt, seed.users["admin_brebes"])
    async with transaction(rt.sessions) as session:
        survivor = await contacts.merge(session, admin, survivor_id, merged_id)
        assert sorted(i.external_id for i in survivor.identities) == [
            "6281299990004",
            "6281299990005",
        ]
    async with rt.sessions() as session:
        merged = await session.get_one(Contact, merged_id)
        assert merged.merged_into_id == survivor_id
        assert (await session.get_one(Ticket, second.ticket_id)).contact_id == survivor_id
        survivor = await session.get_one(Contact, survivor_id)
        assert {t.id for t in await contacts.tickets_of(session, survivor)} == {
            first.ticket_id,
            second.ticket_id,
        }
        history = await contacts.history_of(session, survivor)
        assert {m.body for m in history} == {"KTP rusak", "Akta lahir"}
        audit = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "contact.merged"))
        )
        office_level = [e for e in audit if e.ticket_id is None]
        assert len(office_level) == 1 and office_level[0].user_id == seed.users["admin_brebes"]
        assert office_level[0].detail["into"] == survivor_id
        assert office_level[0].detail["contact"] == merged_id
        assert office_level[0].detail["tickets"] == [second.ticket_id]
        assert {e.ticket_id for e in audit if e.ticket_id} == {second.ticket_id}

    # The citizen writes again from the merged number: the survivor's ticket continues.
    again = await receive(inbound("Masih menunggu", sender="6281299990005", name="Rina"))
    assert await _contact_of(rt, again.ticket_id) == survivor_id


async def test_a_merge_across_offices_is_refused_as_not_found(rt, seed, receive):
    brebes = await receive(inbound("KTP", sender="6281299990006"))
    tomohon = await receive(inbound("KTP", sender="6281299990006", account=TOMOHON_WA))
    brebes_contact = await _contact_of(rt, brebes.ticket_id)
    tomohon_contact = await _contact_of(rt, tomohon.ticket_id)
    root = await _principal(rt, seed.users["root"])  # sees both offices, still may not
    admin = await _principal(rt, seed.users["admin_brebes"])  # does not see Tomohon at all
    for principal in (root, admin):
        async with rt.sessions() as session:
            with pytest.raises(contacts.NotFound):
                await contacts.merge(session, principal, brebes_contact, tomohon_contact)
            with pytest.raises(contacts.NotFound):
                await contacts.dismiss(session, principal, brebes_contact, tomohon_contact)
    async with rt.sessions() as session:
        assert (await session.get_one(Contact, tomohon_contact)).merged_into_id is None
        assert (await session.get_one(Ticket, tomohon.ticket_id)).contact_id == tomohon_contact


async def test_merge_refusals(rt, seed, receive):
    a = await _contact_of(rt, (await receive(inbound("a", sender="6281299990007"))).ticket_id)
    b = await _contact_of(rt, (await receive(inbound("b", sender="6281299990008"))).ticket_id)
    c = await _contact_of(rt, (await receive(inbound("c", sender="6281299990009"))).ticket_id)
    admin = await _principal(rt, seed.users["admin_brebes"])
    async with rt.sessions() as session:
        with pytest.raises(contacts.ContactError, match="same"):
            await contacts.merge(session, admin, a, a)
    async with transaction(rt.sessions) as session:
        await contacts.merge(session, admin, a, b)
    async with rt.sessions() as session:
        with pytest.raises(contacts.ContactError, match="already_merged"):
            await contacts.merge(session, admin, c, b)

    # An official decides tickets; merging contacts is not their role.
    async with transaction(rt.sessions) as session:
        kasie = User(username="kasie_brebes", password_hash="x")
        session.add(kasie)
        await session.flush()
        session.add(Membership(user_id=kasie.id, office_id=seed.offices["brebes"], role="kasie"))
    kasie_principal = await _principal(rt, kasie.id)
    async with rt.sessions() as session:
        with pytest.raises(contacts.NotAllowed):
            await contacts.merge(session, kasie_principal, a, c)


async def test_a_dismissed_proposal_is_remembered(rt, seed, receive):
    one = await receive(inbound("KTP", sender="6281299990010", name="Agus Salim"))
    two = await receive(inbound("KK", sender="6281299990011", name="Agus Salim"))
    one_id, two_id = await _contact_of(rt, one.ticket_id), await _contact_of(rt, two.ticket_id)
    admin = await _principal(rt, seed.users["admin_brebes"])
    async with transaction(rt.sessions) as session:
        contact = await session.get_one(Contact, two_id)
        assert [p.contact.id for p in await contacts.proposals_for(session, contact)] == [one_id]
        await contacts.dismiss(session, admin, two_id, one_id)
        await contacts.dismiss(session, admin, one_id, two_id)  # twice, either way round: once
    async with rt.sessions() as session:
        for mine in (one_id, two_id):
            contact = await session.get_one(Contact, mine)
            assert await contacts.proposals_for(session, contact) == []
        dismissals = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "contact.proposal_dismissed")
            )
        )
        assert len(dismissals) == 1
