"""The ticket page's SOP panel: the actions the engine allows, taken through their forms, with
the engine's refusals (role 403, step 409, fields 422) changing nothing; the consultation
thread, assignment and the audit history."""

from __future__ import annotations

import html as htmllib

from sqlalchemy import select

from helpdesk.models import Consultation, Decision, Message, MessageStatus, TicketStatus
from tests.conftest import TOMOHON_WA
from tests.inbox.conftest import HTMX, csrf_token, post_form
from tests.inbox.desk import audit_count, browser_for, desk_staff, snapshot, ticket_row

__all__ = ["browser_for", "desk_staff"]  # fixtures


async def tomohon_ticket(ticket) -> int:  # type: ignore[no-untyped-def]
    return await ticket("KTP saya rusak, mohon dicetak ulang", office="tomohon")


async def test_the_sop_panel_shows_the_step_deadline_and_this_users_actions(browser_for, ticket):
    tid = await tomohon_ticket(ticket)
    async with browser_for("kasie_tomohon") as kasie:
        page = (await kasie.get(f"/tickets/{tid}")).text
    assert 'id="sop-panel"' in page and "Kasie menerima, menganalisa dan menjawab solusi" in page
    assert "WITA" in page  # the step's deadline in Tomohon's zone
    for name in ("jawab", "eskalasi", "kembalikan"):
        assert f'action="/tickets/{tid}/actions/{name}"' in page
    assert 'type="checkbox" name="missing" value="NIK pelapor"' in page
    async with browser_for("kabid_tomohon") as kabid:
        page = (await kabid.get(f"/tickets/{tid}")).text
    assert "/actions/eskalasi" not in page and "/actions/putuskan" not in page
    assert "Tidak ada tindakan untuk peran Anda pada langkah ini." in page


async def test_escalating_by_form_moves_the_ticket_and_records_it(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    async with browser_for("kasie_tomohon") as kasie:
        response = await post_form(
            kasie,
            f"/tickets/{tid}/actions/eskalasi",
            {"reason": "Data di SIAK berbeda, perlu keputusan Kabid", "_step": "kasie"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/tickets/{tid}#sop-panel"
        assert (await ticket_row(rt, tid)).step == "kabid"
        page = (await kasie.get(f"/tickets/{tid}")).text
    assert "Kabid memutuskan tindak lanjut" in page
    assert "Dieskalasi" in page and "Data di SIAK berbeda" in page  # the audit history


async def test_with_htmx_an_action_answers_with_the_redrawn_ticket_body(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    async with browser_for("kasie_tomohon") as kasie:
        response = await post_form(
            kasie,
            f"/tickets/{tid}/actions/jawab",
            {"body": "Silakan datang ke loket 2.", "_step": "kasie"},
            headers={"x-csrftoken": await csrf_token(kasie), **HTMX},
        )
    assert response.status_code == 200
    assert 'id="ticket-body"' in response.text and "Masyarakat menerima hasil" in response.text
    ticket_after = await ticket_row(rt, tid)
    assert (ticket_after.step, ticket_after.status) == ("selesai", TicketStatus.resolved)
    async with rt.sessions() as session:
        sent = await session.scalar(
            select(Message).where(Message.ticket_id == tid, Message.direction == "out")
        )
    assert sent is not None and sent.body == "Silakan datang ke loket 2."
    assert sent.status in (MessageStatus.queued, MessageStatus.failed, MessageStatus.sent)


async def test_a_role_that_may_not_act_gets_403_and_nothing_changes(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    before = await snapshot(rt, tid)
    async with browser_for("admin_tomohon") as admin:
        response = await post_form(
            admin, f"/tickets/{tid}/actions/eskalasi", {"reason": "saya admin"}
        )
        assert response.status_code == 403
        assert "Peran Anda tidak boleh mengambil tindakan ini" in response.text
        htmx = await post_form(
            admin,
            f"/tickets/{tid}/actions/eskalasi",
            {"reason": "saya admin"},
            headers={"x-csrftoken": await csrf_token(admin), **HTMX},
        )
    assert htmx.status_code == 403
    assert htmx.headers["hx-retarget"] == "#sop-error"  # admins are offered no such form
    assert await snapshot(rt, tid) == before


async def test_an_action_the_step_does_not_have_is_refused_and_nothing_changes(
    browser_for, rt, ticket
):
    tid = await tomohon_ticket(ticket)
    before = await snapshot(rt, tid)
    async with browser_for("kasie_tomohon") as kasie:
        wrong = await post_form(
            kasie,
            f"/tickets/{tid}/actions/putuskan",
            {"outcome": "answer", "reason": "x", "body": "y"},
        )
        assert wrong.status_code == 409
        assert "Tindakan ini tidak tersedia pada langkah tiket sekarang" in wrong.text
        # A page drawn at another step: even an action this step has is refused.
        stale = await post_form(
            kasie, f"/tickets/{tid}/actions/eskalasi", {"reason": "lama", "_step": "kabid"}
        )
        assert stale.status_code == 409
    assert await snapshot(rt, tid) == before


async def test_missing_or_hostile_fields_are_refused_and_nothing_changes(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    before = await snapshot(rt, tid)
    async with browser_for("kasie_tomohon") as kasie:
        for fields in (
            {"reason": ""},  # required
            {"reason": "x" * 50_000},  # far over the engine's limit
            {"reason": "ok", "assignee": "root"},  # not a field of this action
            {"reason": ["a", "b"]},  # a text field given twice
        ):
            response = await post_form(kasie, f"/tickets/{tid}/actions/eskalasi", fields)
            assert response.status_code == 422, fields
            assert "Isian belum lengkap atau tidak sah" in response.text
    assert await snapshot(rt, tid) == before


async def test_actions_need_the_csrf_token(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    before = await snapshot(rt, tid)
    async with browser_for("kasie_tomohon") as kasie:
        await kasie.get(f"/tickets/{tid}")
        response = await kasie.post(
            f"/tickets/{tid}/actions/eskalasi", data={"reason": "tanpa token"}
        )
        assert response.status_code == 403
        forged = await kasie.post(
            f"/tickets/{tid}/actions/eskalasi",
            data={"reason": "token palsu", "_csrf_token": "0" * 64},
        )
        assert forged.status_code == 403
    assert await snapshot(rt, tid) == before


async def test_another_offices_ticket_cannot_be_acted_on(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    before = await snapshot(rt, tid)
    async with browser_for("admin_brebes") as brebes:
        response = await post_form(brebes, f"/tickets/{tid}/actions/eskalasi", {"reason": "x"})
        assert response.status_code == 404
        assert (await brebes.get(f"/tickets/{tid}")).status_code == 404
    assert await snapshot(rt, tid) == before


async def test_consulting_and_answering_show_as_the_consultation_thread(browser_for, rt, ticket):
    tid = await ticket("Akta kelahiran anak saya salah nama ibu")
    async with browser_for("admin_brebes") as admin:
        response = await post_form(
            admin,
            f"/tickets/{tid}/actions/konsultasi",
            {"question": "Apakah perlu putusan pengadilan? <script>x</script>"},
        )
        assert response.status_code == 303
        page = (await admin.get(f"/tickets/{tid}")).text
    assert 'id="consultations"' in page and "Menunggu jawaban." in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    async with browser_for("groupadmin_brebes") as group:
        response = await post_form(
            group,
            f"/tickets/{tid}/actions/beri_jawaban",
            {"body": "Tidak perlu, cukup pembetulan akta di loket."},
        )
        assert response.status_code == 303
        page = (await group.get(f"/tickets/{tid}")).text
    thread = page.split('id="consultations"', 1)[1].split("</section>", 1)[0]
    assert "Tidak perlu, cukup pembetulan akta di loket." in thread and "Dijawab" in thread
    async with rt.sessions() as session:
        [consultation] = list(await session.scalars(select(Consultation)))
    assert consultation.status == "answered"
    assert (await ticket_row(rt, tid)).step == "teruskan"


async def test_a_kabid_decides_with_an_outcome_and_a_reason(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    async with browser_for("kasie_tomohon") as kasie:
        await post_form(kasie, f"/tickets/{tid}/actions/eskalasi", {"reason": "Perlu Kabid"})
    async with browser_for("kabid_tomohon") as kabid:
        page = (await kabid.get(f"/tickets/{tid}")).text
        assert '<option value="follow_up">Tindak lanjut oleh unit</option>' in page
        response = await post_form(
            kabid,
            f"/tickets/{tid}/actions/putuskan",
            {"outcome": "follow_up", "reason": "Cetak ulang KTP", "unit": "", "body": ""},
        )
    assert response.status_code == 303
    t = await ticket_row(rt, tid)
    assert (t.step, t.unit) == ("tindak_lanjut", "Seksi Identitas Penduduk")
    async with rt.sessions() as session:
        [decision] = list(await session.scalars(select(Decision)))
    assert (decision.outcome, decision.reason, decision.role) == (
        "follow_up",
        "Cetak ulang KTP",
        "kabid",
    )


async def test_returning_for_requirements_takes_the_ticked_boxes(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    async with browser_for("kasie_tomohon") as kasie:
        response = await kasie.post(
            f"/tickets/{tid}/actions/kembalikan",
            data={
                "_csrf_token": await csrf_token(kasie),
                "missing": ["NIK pelapor", "Dokumen aduan (foto/scan dokumen kependudukan)"],
            },
        )
    assert response.status_code == 303
    t = await ticket_row(rt, tid)
    assert t.status == TicketStatus.waiting
    assert t.workflow_state["missing"] == [
        "NIK pelapor",
        "Dokumen aduan (foto/scan dokumen kependudukan)",
    ]


async def test_taking_and_assigning_a_ticket(browser_for, rt, ticket, desk_staff):
    tid = await ticket()
    async with browser_for("admin_brebes") as admin:
        page = (await admin.get(f"/tickets/{tid}")).text
        assert "Ambil tiket ini" in page and ">Cs Brebes (Customer Service)</option>" in page
        assert "Kasie Tomohon" not in page  # only the office's own staff
        taken = await post_form(
            admin, f"/tickets/{tid}/actions/assign", {"assignee": "admin_brebes"}
        )
        assert taken.status_code == 303
        assert (await ticket_row(rt, tid)).assignee_id == desk_staff.users["admin_brebes"]
        before = await snapshot(rt, tid)
        outsider = await post_form(
            admin, f"/tickets/{tid}/actions/assign", {"assignee": "kasie_tomohon"}
        )
        assert outsider.status_code == 422
        assert await snapshot(rt, tid) == before
        given = await post_form(admin, f"/tickets/{tid}/actions/assign", {"assignee": "cs_brebes"})
        assert given.status_code == 303
    assert (await ticket_row(rt, tid)).assignee_id == desk_staff.users["cs_brebes"]
    assert await audit_count(rt, tid) > before[-1]


async def test_the_history_is_escaped(browser_for, rt, ticket):
    tid = await tomohon_ticket(ticket)
    async with browser_for("kasie_tomohon") as kasie:
        await post_form(
            kasie, f"/tickets/{tid}/actions/eskalasi", {"reason": '<img src=x onerror="alert(1)">'}
        )
        page = (await kasie.get(f"/tickets/{tid}")).text
    assert '<img src=x onerror="alert(1)">' not in page
    assert htmllib.escape('<img src=x onerror="alert(1)">', quote=False) in page or (
        "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    )


async def test_a_tomohon_ticket_on_the_account_of_brebes_is_never_shown(browser_for, ticket):
    tid = await ticket("Pesan Tomohon", account=TOMOHON_WA, sender="6285200000009")
    async with browser_for("cs_brebes") as cs:
        assert (await cs.get(f"/tickets/{tid}")).status_code == 404
