"""A LAPOR report that is not Dukcapil's to handle ("bukan kewenangan"): an admin, or the
official deciding, closes the ticket with the reason (which agency it belongs to); the
timeline, the audit trail, the register book and the recap say so, and LAPOR is told
`bukan_kewenangan` with the reason through the outbox. Without a reason nothing changes; a
ticket whose channel cannot be told so is not offered it. Against the LAPOR simulator, on both
databases."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from helpdesk import outbox, register_book
from helpdesk.auth import Principal, create_token
from helpdesk.db import transaction
from helpdesk.models import (
    AuditEvent,
    Membership,
    MessageStatus,
    Office,
    OutboxState,
    Role,
    StepTransition,
    Ticket,
    User,
)
from helpdesk.reports.figures import build_report
from helpdesk.reports.periods import month
from tests.channels.sp4n_lapor.helpers import timeline
from tests.channels.sp4n_lapor.test_status import (
    _due_now,
    _pending,
    act,
    lapor_ticket,
    status_item,
)
from tests.conftest import _password_hash, inbound
from tests.inbox.conftest import HTMX, csrf_token, login

REASON = "Kewenangan Dinas Sosial Kota Tomohon (bantuan sosial)"


async def _ticket(rt, ticket_id: int) -> Ticket:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(Ticket, ticket_id)


async def _audit(rt, ticket_id: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.ticket_id == ticket_id).order_by(AuditEvent.id)
        )
        return list(rows)


async def _action_names(client, seed, ticket_id: int, user: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/tickets/{ticket_id}", headers=seed.bearer(user))
    assert response.status_code == 200, response.text
    return [a["name"] for a in response.json()["actions"]]


async def test_an_admin_closes_a_report_as_another_agency_s_and_lapor_hears_it_with_the_reason(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    offered = await _action_names(client, seed, ticket.id, "admin_tomohon")
    assert "bukan_kewenangan" in offered

    done = await act(
        client, seed, ticket.id, "admin_tomohon", action="bukan_kewenangan", reason=REASON
    )
    assert (done["status"], done["step"]) == ("closed", "ditutup")
    assert done["actions"] == []  # closed: nothing more to do
    await jobs.drain()

    report = lapor_sim.store.reports[tracking]
    assert report.statuses == [("bukan_kewenangan", REASON)]
    assert report.status == "bukan_kewenangan"
    assert report.conversation == []  # a status, not a follow-up to the citizen
    async with httpx.AsyncClient() as browser:  # what LAPOR's own page shows
        sim_page = (await browser.get(f"{lapor_sim.base_url}/")).text
    assert f"[bukan_kewenangan: {REASON}]" in sim_page
    (status,) = [m for m in await timeline(rt, ticket.id) if m.content_kind == "status"]
    assert status.status == MessageStatus.sent
    assert status.details == {"ticket_status": "out_of_authority", "note": REASON}
    assert REASON in status.body and "bukan kewenangan" in status.body

    async with rt.sessions() as session:
        (step,) = await session.scalars(
            select(StepTransition).where(
                StepTransition.ticket_id == ticket.id, StepTransition.to_step == "ditutup"
            )
        )
    assert (step.action, step.reason, step.user_id) == (
        "bukan_kewenangan",
        REASON,
        seed.users["admin_tomohon"],
    )
    (closed,) = [e for e in await _audit(rt, ticket.id) if e.action == "ticket.out_of_authority"]
    assert closed.detail["reason"] == REASON and closed.user_id == seed.users["admin_tomohon"]
    stored = await _ticket(rt, ticket.id)
    assert stored.closed_at is not None

    # The ticket page says so, in Bahasa Indonesia by default and in English on request.
    assert (await login(client, "admin_tomohon")).status_code == 303
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "Ditutup: bukan kewenangan Dukcapil." in page and REASON in page
    assert "Status pengaduan dilaporkan: bukan kewenangan Dukcapil" in page  # the timeline
    client.cookies.set("lang", "en")
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "Closed: not within Dukcapil&#39;s authority." in page

    # The register book's answer and the recap's statuses show it as such.
    async with rt.sessions() as session:
        office = await session.get_one(Office, seed.offices["tomohon"])
        today = datetime.now(ZoneInfo(office.timezone)).date()
        root = Principal(seed.users["root"], "root", "Root", is_superuser=True)
        (entry,) = await register_book.entries(session, office, month(today), root)
        recap = await build_report(session, [office], month(today), with_previous=False)
    assert entry.answer == f"Bukan kewenangan Dukcapil: {REASON}"
    assert entry.answered_at == stored.closed_at
    statuses = {r["key"]: (r["label"], r["count"]) for r in recap["by_status"]}
    assert statuses == {"out_of_authority": ("Ditutup: bukan kewenangan Dukcapil", 1)}


async def test_the_official_deciding_may_close_it_so_and_lapor_down_only_delays_it(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    async with transaction(rt.sessions) as session:
        kabid = User(username="kabid_tomohon", full_name="Kabid", password_hash=_password_hash())
        session.add(kabid)
        await session.flush()
        session.add(
            Membership(user_id=kabid.id, office_id=seed.offices["tomohon"], role=Role.kabid)
        )
        seed.tokens["kabid_tomohon"] = await create_token(session, kabid, "tests")
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    await act(client, seed, ticket.id, "kasie_tomohon", action="eskalasi", reason="Perlu Kabid")
    assert "bukan_kewenangan" in await _action_names(client, seed, ticket.id, "kabid_tomohon")

    lapor_sim.faults(down=True)
    await act(client, seed, ticket.id, "kabid_tomohon", action="bukan_kewenangan", reason=REASON)
    for _ in range(2):
        await _due_now(rt)
        for pending in await _pending(rt):
            await outbox.send_item(rt, pending.id)
    item = await status_item(rt, ticket.id)
    assert item.state == OutboxState.pending and item.last_error
    assert lapor_sim.store.reports[tracking].statuses == []

    lapor_sim.faults(down=False)
    await _due_now(rt)
    for pending in await _pending(rt):
        await outbox.send_item(rt, pending.id)
    assert (await status_item(rt, ticket.id)).state == OutboxState.done
    assert lapor_sim.store.reports[tracking].statuses == [("bukan_kewenangan", REASON)]


async def test_without_a_reason_nothing_changes(rt, jobs, client, seed, lapor_sim, lapor_account):
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    before = await _ticket(rt, ticket.id)
    audit_before = [e.action for e in await _audit(rt, ticket.id)]

    for fields in ({}, {"reason": "   "}):
        response = await client.post(
            f"/api/v1/tickets/{ticket.id}/actions",
            json={"action": "bukan_kewenangan", **fields},
            headers=seed.bearer("admin_tomohon"),
        )
        assert response.status_code == 422, response.text
        assert "reason" in response.json()["detail"]
    # The same refusal from the ticket page's form, shown beside it.
    assert (await login(client, "admin_tomohon")).status_code == 303
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "Bukan kewenangan Dukcapil" in page and "Instansi yang berwenang dan alasannya" in page
    # The only action the admin has here, yet it stays folded: closing is never the default.
    folded = re.search(r"<details class=\"action\"\s*(open)?\s*>\s*<summary>Bukan kewenangan", page)
    assert folded is not None and folded.group(1) is None
    response = await client.post(
        f"/tickets/{ticket.id}/actions/bukan_kewenangan",
        data={"reason": "", "_step": ticket.step},
        headers={"x-csrftoken": await csrf_token(client), **HTMX},
    )
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#act-bukan_kewenangan-error"
    await jobs.drain()

    after = await _ticket(rt, ticket.id)
    assert (after.status, after.step, after.closed_at) == (before.status, before.step, None)
    assert "out_of_authority" not in (after.workflow_state or {})
    assert [e.action for e in await _audit(rt, ticket.id)] == audit_before
    assert [m for m in await timeline(rt, ticket.id) if m.content_kind == "status"] == []
    assert lapor_sim.store.reports[tracking].statuses == []


async def test_a_ticket_whose_channel_cannot_be_told_is_not_offered_it(
    rt, client, seed, receive, lapor_sim, lapor_account
):
    await receive(inbound("Ini urusan bansos, bukan KTP", account="109876543211"))
    async with rt.sessions() as session:
        ticket = (await session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(1))).one()
    assert ticket.channel == "whatsapp"
    offered = await _action_names(client, seed, ticket.id, "admin_tomohon")
    assert "assign" in offered and "bukan_kewenangan" not in offered

    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        json={"action": "bukan_kewenangan", "reason": REASON},
        headers=seed.bearer("admin_tomohon"),
    )
    assert response.status_code == 409, response.text
    after = await _ticket(rt, ticket.id)
    assert after.status != "closed" and after.step == ticket.step
    assert (await login(client, "admin_tomohon")).status_code == 303
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "Bukan kewenangan Dukcapil" not in page


async def test_a_role_outside_the_desk_and_the_step_may_not(
    rt, client, seed, lapor_sim, lapor_account
):
    """The Kasie acts at the Kasie's step; once it is the Kabid's, the Kasie may not close it
    as another agency's (nor sees the action)."""
    _, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    await act(client, seed, ticket.id, "kasie_tomohon", action="eskalasi", reason="Perlu Kabid")
    assert "bukan_kewenangan" not in await _action_names(client, seed, ticket.id, "kasie_tomohon")
    response = await client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        json={"action": "bukan_kewenangan", "reason": REASON},
        headers=seed.bearer("kasie_tomohon"),
    )
    assert response.status_code == 403, response.text
    assert (await _ticket(rt, ticket.id)).status != "closed"
