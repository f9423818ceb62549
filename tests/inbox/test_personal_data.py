"""NIK and KK numbers: masked in the list, the ticket page, the timeline and the API; shown in
full only on request, to the roles allowed to, each reveal audited."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Membership, Message, User
from tests.conftest import TOMOHON_WA, _password_hash, inbound
from tests.inbox.conftest import HTMX, login, post_form

NIK = "3329010101900001"
MASKED = "3329••••••••0001"
TEXT = f"NIK saya {NIK}, KTP rusak. HP 081234567890, register ADU/BREBES/2026/000001"


async def _ticket_with_nik(receive, **kw) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    received = await receive(inbound(TEXT, **kw))
    return received.ticket_id, received.message_id


async def _reveals(rt) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "personal_data.revealed")
            )
        )


async def _cs_user(rt, office_id: int) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        user = User(username="cs_brebes", password_hash=_password_hash())
        session.add(user)
        await session.flush()
        session.add(Membership(user_id=user.id, office_id=office_id, role="cs"))


async def test_lists_pages_timelines_and_the_api_mask_the_number(rt, brebes, seed, receive):
    ticket_id, _message_id = await _ticket_with_nik(receive)
    for url in ("/", f"/tickets/{ticket_id}", f"/tickets/{ticket_id}/timeline"):
        page = await brebes.get(url)
        assert page.status_code == 200, url
        assert NIK not in page.text, url
    page = await brebes.get(f"/tickets/{ticket_id}")
    assert MASKED in page.text
    assert "081234567890" in page.text and "ADU/BREBES/2026/000001" in page.text
    api = await brebes.get(
        f"/api/v1/tickets/{ticket_id}/messages", headers=seed.bearer("admin_brebes")
    )
    assert api.status_code == 200
    assert NIK not in api.text and MASKED in api.json()["items"][0]["body"]
    one = await brebes.get(f"/api/v1/tickets/{ticket_id}", headers=seed.bearer("admin_brebes"))
    assert NIK not in one.text
    assert await _reveals(rt) == []  # masking is not a reveal


async def test_an_admin_reveals_on_request_and_the_reveal_is_audited(rt, brebes, seed, receive):
    ticket_id, message_id = await _ticket_with_nik(receive)
    page = await brebes.get(f"/tickets/{ticket_id}")
    assert f'hx-post="/messages/{message_id}/reveal"' in page.text
    revealed = await post_form(brebes, f"/messages/{message_id}/reveal", {}, headers=HTMX)
    assert revealed.status_code == 200
    assert NIK in revealed.text
    assert f'id="body-{message_id}"' in revealed.text
    again = await post_form(brebes, f"/messages/{message_id}/reveal", {})  # without htmx: a page
    assert again.status_code == 200 and NIK in again.text
    events = await _reveals(rt)
    assert len(events) == 2  # each reveal, not each user
    assert {(e.user_id, e.ticket_id, e.detail["message"]) for e in events} == {
        (seed.users["admin_brebes"], ticket_id, message_id)
    }
    assert events[0].detail["role"] == "admin"


async def test_customer_service_may_not_reveal(rt, client, seed, receive):
    ticket_id, message_id = await _ticket_with_nik(receive)
    await _cs_user(rt, seed.offices["brebes"])
    await login(client, "cs_brebes")
    page = await client.get(f"/tickets/{ticket_id}")
    assert page.status_code == 200
    assert MASKED in page.text and NIK not in page.text
    assert f"/messages/{message_id}/reveal" not in page.text
    refused = await post_form(client, f"/messages/{message_id}/reveal", {}, headers=HTMX)
    assert refused.status_code == 403
    assert NIK not in refused.text
    assert await _reveals(rt) == []


async def test_a_kasie_may_reveal_in_their_office_only(rt, client, seed, receive):
    tomohon_ticket, tomohon_message = await _ticket_with_nik(
        receive, account=TOMOHON_WA, sender="6285200000009"
    )
    _brebes_ticket, brebes_message = await _ticket_with_nik(receive)
    await login(client, "kasie_tomohon")
    ok = await post_form(client, f"/messages/{tomohon_message}/reveal", {}, headers=HTMX)
    assert ok.status_code == 200 and NIK in ok.text
    elsewhere = await post_form(client, f"/messages/{brebes_message}/reveal", {}, headers=HTMX)
    assert elsewhere.status_code == 404 and NIK not in elsewhere.text
    assert [e.ticket_id for e in await _reveals(rt)] == [tomohon_ticket]


async def test_a_reveal_without_the_csrf_token_is_refused(rt, brebes, receive):
    _ticket_id, message_id = await _ticket_with_nik(receive)
    refused = await brebes.post(f"/messages/{message_id}/reveal", headers=HTMX)
    assert refused.status_code == 403 and NIK not in refused.text
    assert await _reveals(rt) == []


async def test_a_message_without_a_number_has_nothing_to_reveal(rt, brebes, receive):
    received = await receive(inbound("KTP saya rusak, HP 081234567890"))
    page = await brebes.get(f"/tickets/{received.ticket_id}")
    assert "/reveal" not in page.text
    response = await post_form(brebes, f"/messages/{received.message_id}/reveal", {})
    assert response.status_code == 404
    async with rt.sessions() as session:
        assert (await session.get_one(Message, received.message_id)).body.startswith("KTP")
    assert await _reveals(rt) == []
