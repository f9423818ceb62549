"""The contact card, the contact page and merging, through the browser's forms."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.models import AuditEvent, Contact, Ticket
from tests.conftest import TOMOHON_WA, inbound
from tests.inbox.conftest import HTMX, login, post_form


async def _contact_of(rt, ticket_id: int) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return (await session.get_one(Ticket, ticket_id)).contact_id


async def _two_of_one_citizen(rt, receive) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    first = await receive(inbound("KTP saya rusak", sender="6281277770001", name="Dewi Lestari"))
    second = await receive(inbound("Akta anak", sender="6281277770002", name="dewi  lestari"))
    return (
        first.ticket_id,
        second.ticket_id,
        await _contact_of(rt, first.ticket_id),
        await _contact_of(rt, second.ticket_id),
    )


async def test_the_ticket_page_loads_the_card_with_identities_tickets_and_proposals(
    rt, brebes, receive
):
    t1, _t2, c1, c2 = await _two_of_one_citizen(rt, receive)
    page = await brebes.get(f"/tickets/{t1}")
    assert page.status_code == 200
    assert f'hx-get="/contacts/{c1}/card?ticket={t1}"' in page.text
    card = await brebes.get(f"/contacts/{c1}/card?ticket={t1}", headers=HTMX)
    assert card.status_code == 200
    assert "6281277770001" in card.text
    assert f"/contacts/{c2}" in card.text  # proposed: the same name
    assert "nama sama" in card.text
    assert f'name="other" value="{c2}"' in card.text


async def test_merging_from_the_card_shows_one_history(rt, client, seed, receive):
    t1, t2, c1, c2 = await _two_of_one_citizen(rt, receive)
    await login(client, "admin_brebes")
    merged = await post_form(
        client, f"/contacts/{c1}/merge", {"other": c2, "ticket": t1}, headers=HTMX
    )
    assert merged.status_code == 200
    assert "6281277770002" in merged.text  # the merged identity is on the card now
    assert f"/tickets/{t2}" in merged.text  # and its ticket is one of the citizen's
    page = await client.get(f"/contacts/{c1}")
    assert page.status_code == 200
    assert "KTP saya rusak" in page.text and "Akta anak" in page.text
    # The merged contact's page leads to the survivor.
    moved = await client.get(f"/contacts/{c2}", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/contacts/{c1}"
    async with rt.sessions() as session:
        events = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "contact.merged", AuditEvent.ticket_id.is_(None)
                )
            )
        )
    assert [(e.detail["into"], e.detail["contact"]) for e in events] == [(c1, c2)]


async def test_a_dismissed_proposal_stays_dismissed(rt, brebes, receive):
    t1, _t2, c1, c2 = await _two_of_one_citizen(rt, receive)
    response = await post_form(
        brebes, f"/contacts/{c1}/dismiss", {"other": c2, "ticket": t1}, headers=HTMX
    )
    assert response.status_code == 200
    card = await brebes.get(f"/contacts/{c1}/card?ticket={t1}", headers=HTMX)
    assert f'name="other" value="{c2}"' not in card.text
    other_card = await brebes.get(f"/contacts/{c2}/card", headers=HTMX)
    assert f'name="other" value="{c1}"' not in other_card.text


async def test_another_offices_contact_is_not_found_and_cannot_be_merged(rt, client, seed, receive):
    mine = await receive(inbound("KTP", sender="6281277770003", name="Yanti"))
    theirs = await receive(inbound("KTP", sender="6281277770003", name="Yanti", account=TOMOHON_WA))
    my_contact = await _contact_of(rt, mine.ticket_id)
    their_contact = await _contact_of(rt, theirs.ticket_id)
    await login(client, "admin_brebes")
    assert (await client.get(f"/contacts/{their_contact}")).status_code == 404
    assert (await client.get(f"/contacts/{their_contact}/card")).status_code == 404
    for url, other in (
        (f"/contacts/{my_contact}/merge", their_contact),
        (f"/contacts/{their_contact}/merge", my_contact),
        (f"/contacts/{my_contact}/dismiss", their_contact),
    ):
        assert (await post_form(client, url, {"other": other})).status_code == 404
    async with rt.sessions() as session:
        assert (await session.get_one(Contact, their_contact)).merged_into_id is None
        assert (await session.get_one(Contact, my_contact)).merged_into_id is None
    # The card never proposes the other office's contact with the same phone and name.
    card = await client.get(f"/contacts/{my_contact}/card", headers=HTMX)
    assert f"/contacts/{their_contact}" not in card.text


async def test_a_merge_without_the_csrf_token_is_refused(rt, brebes, receive):
    _t1, _t2, c1, c2 = await _two_of_one_citizen(rt, receive)
    response = await brebes.post(f"/contacts/{c1}/merge", data={"other": str(c2)})
    assert response.status_code == 403
    async with rt.sessions() as session:
        assert (await session.get_one(Contact, c2)).merged_into_id is None


async def test_an_official_may_see_but_not_merge(rt, client, seed, receive):
    t1 = await receive(
        inbound("KTP", sender="6281277770004", name="Frans Wowor", account=TOMOHON_WA)
    )
    t2 = await receive(
        inbound("KK", sender="6281277770005", name="Frans Wowor", account=TOMOHON_WA)
    )
    c1, c2 = await _contact_of(rt, t1.ticket_id), await _contact_of(rt, t2.ticket_id)
    await login(client, "kasie_tomohon")
    card = await client.get(f"/contacts/{c1}/card", headers=HTMX)
    assert card.status_code == 200 and f"/contacts/{c2}" in card.text
    assert f"/contacts/{c1}/merge" not in card.text
    assert (await post_form(client, f"/contacts/{c1}/merge", {"other": c2})).status_code == 403


async def test_finding_a_contact_to_merge_by_hand(rt, brebes, receive):
    t1 = await receive(inbound("KTP", sender="6281277770006", name="Maria"))
    t2 = await receive(inbound("KK", sender="6281277770007", name="Yohana"))
    c1, c2 = await _contact_of(rt, t1.ticket_id), await _contact_of(rt, t2.ticket_id)
    page = await brebes.get(f"/contacts/{c1}", params={"q": "yohana"})
    assert page.status_code == 200
    assert f'name="other" value="{c2}"' in page.text
    by_number = await brebes.get(f"/contacts/{c1}", params={"q": "0812 7777 0007"})
    assert f'name="other" value="{c2}"' in by_number.text
    merged = await post_form(brebes, f"/contacts/{c1}/merge", {"other": c2})
    assert merged.status_code == 303 and merged.headers["location"] == f"/contacts/{c1}"


async def test_merging_on_the_contact_page_reloads_it(rt, brebes, receive):
    _t1, _t2, c1, c2 = await _two_of_one_citizen(rt, receive)
    page = await brebes.get(f"/contacts/{c1}")
    assert f'name="other" value="{c2}"' in page.text  # proposed on the page's card
    merged = await post_form(brebes, f"/contacts/{c1}/merge", {"other": c2}, headers=HTMX)
    assert merged.status_code == 200 and merged.headers["hx-redirect"] == f"/contacts/{c1}"
