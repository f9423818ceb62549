"""The officials' queue: only the official's own office and the steps where their role acts,
with the question, the analysis and the consultation; deciding in one step from it."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.db import transaction
from helpdesk.models import Consultation, Decision, Direction, Message, MessageStatus
from tests.inbox.conftest import HTMX, csrf_token, post_form
from tests.inbox.desk import browser_for, desk_staff, snapshot, ticket_row

__all__ = ["browser_for", "desk_staff"]  # fixtures


async def escalated(browser_for, ticket, text: str, reason: str) -> int:  # type: ignore[no-untyped-def]
    tid = await ticket(text, office="tomohon")
    async with browser_for("kasie_tomohon") as kasie:
        response = await post_form(kasie, f"/tickets/{tid}/actions/eskalasi", {"reason": reason})
        assert response.status_code == 303
    return tid


async def test_a_kabid_sees_the_tickets_at_the_kabid_step_of_their_office_only(browser_for, ticket):
    waiting = await escalated(
        browser_for, ticket, "KK saya hilang saat banjir", "Butuh keputusan: tanpa surat polisi"
    )
    at_kasie = await ticket("Masih di meja Kasie", office="tomohon", sender="6285200000002")
    brebes = await ticket("Tiket Brebes", sender="6281200000003")
    async with browser_for("kabid_tomohon") as kabid:
        page = (await kabid.get("/officials")).text
    assert f'id="q{waiting}"' in page
    item = page.split(f'id="q{waiting}"', 1)[1]
    assert "KK saya hilang saat banjir" in item  # the question
    assert "Butuh keputusan: tanpa surat polisi" in item  # the analysis (why it came up)
    assert f'action="/tickets/{waiting}/actions/putuskan"' in item
    assert 'name="_from" value="queue"' in item
    assert f'id="q{at_kasie}"' not in page and f'id="q{brebes}"' not in page
    async with browser_for("kadis_tomohon") as kadis:
        assert f'id="q{waiting}"' not in (await kadis.get("/officials")).text
    async with browser_for("kasie_brebes") as other_kasie:
        page = (await other_kasie.get("/officials")).text
    assert f'id="q{waiting}"' not in page and f'id="q{at_kasie}"' not in page


async def test_the_queue_shows_the_consultation(browser_for, rt, ticket, desk_staff):
    tid = await escalated(browser_for, ticket, "Akta kematian ayah belum terbit", "Perlu Kabid")
    # A consultation on the ticket (Tomohon's SOP has no consult action: written as the
    # engine writes one, with the answering note).
    async with transaction(rt.sessions) as session:
        consultation = Consultation(
            ticket_id=tid,
            opened_by_id=desk_staff.users["kasie_tomohon"],
            question="Berkas lengkap?",
        )
        session.add(consultation)
        await session.flush()
        session.add(
            Message(
                ticket_id=tid,
                direction=Direction.note,
                body="Lengkap, tinggal tanda tangan.",
                status=MessageStatus.received,
                author_id=desk_staff.users["admin_tomohon"],
                consultation_id=consultation.id,
            )
        )
    async with browser_for("kabid_tomohon") as kabid:
        page = (await kabid.get("/officials")).text
    item = page.split(f'id="q{tid}"', 1)[1]
    assert "Berkas lengkap?" in item and "Lengkap, tinggal tanda tangan." in item
    async with browser_for("kasie_brebes") as kasie:  # Brebes' SOP has no Kasie step
        page = (await kasie.get("/officials")).text
    assert "Tidak ada tiket yang menunggu keputusan Anda." in page


async def test_a_kabid_decides_from_the_queue_in_one_step(browser_for, rt, ticket):
    tid = await escalated(browser_for, ticket, "KTP tidak terbit", "Perlu keputusan")
    async with browser_for("kabid_tomohon") as kabid:
        response = await post_form(
            kabid,
            f"/tickets/{tid}/actions/putuskan",
            {
                "_from": "queue",
                "_step": "kabid",
                "outcome": "answer",
                "reason": "Sudah dicetak",
                "body": "KTP Anda sudah dapat diambil di loket 1.",
                "unit": "",
            },
            headers={"x-csrftoken": await csrf_token(kabid), **HTMX},
        )
        assert response.status_code == 200
        assert f'id="q{tid}"' in response.text and "tercatat" in response.text
        assert f'id="q{tid}"' not in (await kabid.get("/officials")).text
    assert (await ticket_row(rt, tid)).step == "selesai"
    async with rt.sessions() as session:
        [decision] = list(await session.scalars(select(Decision)))
    assert (decision.outcome, decision.reason) == ("answer", "Sudah dicetak")


async def test_a_refused_decision_from_the_queue_says_why_and_changes_nothing(
    browser_for, rt, ticket
):
    tid = await escalated(browser_for, ticket, "KIA anak", "Perlu keputusan")
    before = await snapshot(rt, tid)
    async with browser_for("kabid_tomohon") as kabid:
        response = await post_form(
            kabid,
            f"/tickets/{tid}/actions/putuskan",
            {"_from": "queue", "outcome": "answer", "reason": "", "body": "", "unit": ""},
        )
        assert response.status_code == 422
        assert "Isian belum lengkap atau tidak sah" in response.text
        assert f'id="q{tid}"' in response.text  # the queue again, the item still there
        htmx = await post_form(
            kabid,
            f"/tickets/{tid}/actions/putuskan",
            {"_from": "queue", "outcome": "pardon", "reason": "x", "body": "", "unit": ""},
            headers={"x-csrftoken": await csrf_token(kabid), **HTMX},
        )
        assert htmx.status_code == 422
        assert htmx.headers["hx-retarget"] == f"#q{tid}-act-putuskan-error"
    assert await snapshot(rt, tid) == before


async def test_staff_who_are_not_officials_are_told_whom_the_queue_is_for(browser_for):
    async with browser_for("admin_brebes") as admin:
        page = (await admin.get("/officials")).text
    assert "Antrean ini untuk Kasie, Kabid dan Kadis." in page


async def test_a_full_queue_stays_a_light_page(browser_for, rt, ticket, desk_staff):
    from helpdesk.auth import Principal
    from helpdesk.desk import QUEUE_LIMIT
    from helpdesk.models import Role, Ticket
    from helpdesk.workflow.engine import apply_action

    kasie = Principal(
        desk_staff.users["kasie_tomohon"],
        "kasie_tomohon",
        "Kasie",
        False,
        {desk_staff.offices["tomohon"]: Role.kasie},
    )
    for n in range(QUEUE_LIMIT + 1):
        tid = await ticket(
            "Keluhan " + "panjang sekali " * 100, office="tomohon", sender=f"62852{n:08d}"
        )
        async with transaction(rt.sessions) as session:
            row = await session.get_one(Ticket, tid)
            await apply_action(session, row, kasie, "eskalasi", {"reason": "Analisis " * 120})
    async with browser_for("kabid_tomohon") as kabid:
        response = await kabid.get("/officials")
    assert response.text.count('class="card q-item"') == QUEUE_LIMIT
    assert len(response.content) < 150_000
