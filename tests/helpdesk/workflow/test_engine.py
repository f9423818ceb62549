"""The SOP engine: steps, who may act where, escalations, decisions, the paused clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from helpdesk.db import transaction
from helpdesk.models import (
    Consultation,
    Decision,
    Direction,
    Message,
    OutboxItem,
    StepTransition,
    Ticket,
    TicketStatus,
)
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.workflow.engine import Forbidden, Invalid, WrongStep, actions_for
from tests.conftest import TOMOHON_WA, inbound
from tests.helpdesk.workflow.helpers import act, calendar_of, events, load


async def tomohon_ticket(receive, text="KTP saya rusak, mohon dibantu") -> int:  # type: ignore[no-untyped-def]
    return (await receive(inbound(text, account=TOMOHON_WA))).ticket_id


async def transitions(rt, ticket_id) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(StepTransition)
            .where(StepTransition.ticket_id == ticket_id)
            .order_by(StepTransition.id)
        )
        return [(t.from_step, t.to_step, t.action) for t in rows]


async def test_a_new_ticket_starts_at_its_profiles_first_step_with_due_times(rt, receive):
    received = await receive(inbound("KTP saya rusak"))
    ticket = await load(rt, received.ticket_id)
    cal = await calendar_of(rt, ticket.id)
    assert (ticket.step, ticket.kind, ticket.category) == ("admin", "pengaduan", "ktp_el")
    assert ticket.due_at == cal.add_days(ticket.created_at, 3)  # Brebes: 3 hari kerja
    assert ticket.step_due_at == ticket.due_at  # the admin's step runs to it
    assert ticket.sla_check_at is not None
    assert await transitions(rt, ticket.id) == [("", "admin", "start")]


async def test_tomohons_ticket_starts_with_the_kasie_and_routes_its_category_to_a_unit(rt, receive):
    ticket = await load(rt, await tomohon_ticket(receive))
    cal = await calendar_of(rt, ticket.id)
    assert cal.timezone == "Asia/Makassar"
    assert ticket.step == "kasie"
    assert ticket.due_at == cal.add_days(ticket.created_at, 1)
    assert (ticket.category, ticket.unit) == ("ktp_el", "Seksi Identitas Penduduk")


async def test_the_actions_offered_depend_on_the_role_and_the_office(rt, receive, staff):
    ticket = await load(rt, await tomohon_ticket(receive))
    names = {u: [a.name for a in actions_for(ticket, staff[u])] for u in staff.principals}
    assert names["kasie_tomohon"] == ["jawab", "eskalasi", "kembalikan", "set_category", "assign"]
    assert names["admin_tomohon"] == ["set_category", "assign"]
    assert names["kabid_tomohon"] == []
    assert names["admin_brebes"] == names["kasie_brebes"] == []
    assert names["root"][:3] == ["jawab", "eskalasi", "kembalikan"]
    [escalate] = [a for a in actions_for(ticket, staff["kasie_tomohon"]) if a.name == "eskalasi"]
    assert escalate.as_json() == {
        "name": "eskalasi",
        "label": "Teruskan ke Kabid",
        "kind": "escalate",
        "fields": [{"name": "reason", "label": "Alasan", "type": "textarea", "required": True}],
    }


async def test_a_kasie_of_tomohon_cannot_decide_a_brebes_ticket(rt, receive, staff):
    brebes = (await receive(inbound("KK saya hilang"))).ticket_id
    with pytest.raises(Forbidden, match="no role in this ticket's office"):
        await act(rt, brebes, staff["kasie_tomohon"], "jawab", body="Sudah kami proses")
    assert (await load(rt, brebes)).step == "admin"


async def test_the_wrong_role_is_refused_and_nothing_changes(rt, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    with pytest.raises(Forbidden, match="is for kasie; your role in this office is admin"):
        await act(rt, ticket_id, staff["admin_tomohon"], "jawab", body="Silakan datang")
    ticket = await load(rt, ticket_id)
    assert (ticket.step, ticket.status) == ("kasie", "new")
    assert await transitions(rt, ticket_id) == [("", "kasie", "start")]
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxItem)) == 0


async def test_an_action_of_another_step_is_refused(rt, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    with pytest.raises(WrongStep, match=r"at step .*kasie.*'putuskan' is not possible"):
        await act(rt, ticket_id, staff["kabid_tomohon"], "putuskan", outcome="answer")
    with pytest.raises(Invalid, match="unknown action 'terbang'"):
        await act(rt, ticket_id, staff["kasie_tomohon"], "terbang")


async def test_escalation_goes_up_the_chain_with_a_reason_and_decisions_are_recorded(
    rt, receive, staff
):
    ticket_id = await tomohon_ticket(receive)
    with pytest.raises(Invalid, match=r"reason .* is required"):
        await act(rt, ticket_id, staff["kasie_tomohon"], "eskalasi")
    await act(rt, ticket_id, staff["kasie_tomohon"], "eskalasi", reason="Data ganda di SIAK")
    await act(
        rt,
        ticket_id,
        staff["kabid_tomohon"],
        "putuskan",
        outcome="forward",
        reason="Perlu keputusan Kadis",
    )
    with pytest.raises(Invalid, match="is not one of"):
        await act(rt, ticket_id, staff["kadis_tomohon"], "putuskan", outcome="forward", reason="x")
    await act(
        rt,
        ticket_id,
        staff["kadis_tomohon"],
        "putuskan",
        outcome="follow_up",
        reason="Konsolidasi data",
        unit="Seksi Pengelolaan Informasi",
    )
    assert await transitions(rt, ticket_id) == [
        ("", "kasie", "start"),
        ("kasie", "kabid", "eskalasi"),
        ("kabid", "kadis", "putuskan"),
        ("kadis", "tindak_lanjut", "putuskan"),
    ]
    async with rt.sessions() as session:
        decisions = list(await session.scalars(select(Decision).order_by(Decision.id)))
    assert [(d.role, d.outcome, d.reason, d.unit) for d in decisions] == [
        ("kabid", "forward", "Perlu keputusan Kadis", None),
        ("kadis", "follow_up", "Konsolidasi data", "Seksi Pengelolaan Informasi"),
    ]
    ticket = await load(rt, ticket_id)
    assert (ticket.step, ticket.unit, ticket.status) == (
        "tindak_lanjut",
        "Seksi Pengelolaan Informasi",
        "open",
    )
    [escalated] = await events(rt, ticket_id, "step.escalated")
    assert escalated.detail["reason"] == "Data ganda di SIAK"
    assert escalated.user_id == staff["kasie_tomohon"].user_id
    assert len(await events(rt, ticket_id, "decision.recorded")) == 2


async def test_an_answer_decision_needs_the_answer_text(rt, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    await act(rt, ticket_id, staff["kasie_tomohon"], "eskalasi", reason="Kompleks")
    with pytest.raises(Invalid, match=r"body .* is required when \{'outcome': 'answer'\}"):
        await act(rt, ticket_id, staff["kabid_tomohon"], "putuskan", outcome="answer", reason="ok")
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Decision)) == 0


async def test_returning_for_requirements_pauses_the_clock(rt, receive, staff):
    ticket_id = (await receive(inbound("Mau tanya soal KTP"))).ticket_id
    missing = ["Identitas pemohon (nama, NIK)", "Foto/scan dokumen terkait"]
    await act(rt, ticket_id, staff["admin_brebes"], "kembalikan", missing=missing)
    paused = await load(rt, ticket_id)
    assert (paused.status, paused.sla_check_at) == (TicketStatus.waiting, None)
    assert paused.paused_at is not None
    async with rt.sessions() as session:
        [asked] = await session.scalars(
            select(Message).where(Message.direction == Direction.outbound)
        )
    assert "Identitas pemohon (nama, NIK)" in asked.body and paused.register_no in asked.body

    # The citizen answers two weeks later: every due time moves on by the working time waited.
    waited_from = paused.paused_at - timedelta(days=14)
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Ticket).where(Ticket.id == ticket_id).values(paused_at=waited_from)
        )
    await receive(inbound("Ini NIK dan foto KTP saya"))
    resumed = await load(rt, ticket_id)
    cal = await calendar_of(rt, ticket_id)
    waited = cal.working_minutes(waited_from, resumed.last_activity_at)
    assert waited > 0
    assert (resumed.status, resumed.paused_at) == (TicketStatus.open, None)
    assert resumed.due_at == cal.add_minutes(paused.due_at, waited)
    assert resumed.step_due_at == cal.add_minutes(paused.step_due_at, waited)
    [event] = await events(rt, ticket_id, "clock.resumed")
    assert event.detail == {"paused_working_minutes": round(waited, 2), "by": "citizen"}


async def test_an_incomplete_return_is_refused(rt, receive, staff):
    ticket_id = (await receive(inbound("Halo"))).ticket_id
    with pytest.raises(Invalid, match=r"missing .* is required"):
        await act(rt, ticket_id, staff["admin_brebes"], "kembalikan", missing=[])
    with pytest.raises(Invalid, match="'Surat nikah' is not one of"):
        await act(rt, ticket_id, staff["admin_brebes"], "kembalikan", missing=["Surat nikah"])
    with pytest.raises(Invalid, match="unknown field"):
        await act(rt, ticket_id, staff["admin_brebes"], "jawab", body="ok", nik="123")


async def test_brebes_consults_the_group_admin_then_answers_recaps_and_closes(rt, receive, staff):
    ticket_id = (await receive(inbound("KTP saya tidak bisa dipakai di bank"))).ticket_id
    await act(rt, ticket_id, staff["admin_brebes"], "konsultasi", question="Chip rusak?")
    async with rt.sessions() as session:
        [consultation] = await session.scalars(select(Consultation))
    assert (consultation.status, consultation.question) == ("open", "Chip rusak?")
    assert (await load(rt, ticket_id)).step == "group_admin"
    with pytest.raises(Forbidden):
        await act(rt, ticket_id, staff["admin_brebes"], "beri_jawaban", body="x")
    await act(
        rt, ticket_id, staff["groupadmin_brebes"], "beri_jawaban", body="Cetak ulang di loket 2"
    )
    await act(rt, ticket_id, staff["admin_brebes"], "teruskan_jawaban", body="Silakan ke loket 2")
    await act(rt, ticket_id, staff["admin_brebes"], "rekap")
    resolved = await load(rt, ticket_id)
    assert (resolved.step, resolved.status) == ("selesai", TicketStatus.resolved)
    await act(rt, ticket_id, staff["admin_brebes"], "tutup")
    closed = await load(rt, ticket_id)
    assert (closed.step, closed.status) == ("ditutup", TicketStatus.closed)
    assert actions_for(closed, staff["admin_brebes"]) == []
    async with rt.sessions() as session:
        consultation = await session.get_one(Consultation, consultation.id)
        notes = list(
            await session.scalars(
                select(Message.body).where(Message.direction == Direction.note).order_by(Message.id)
            )
        )
    assert consultation.status == "answered"
    assert notes == ["Konsultasi: Chip rusak?", "Cetak ulang di loket 2"]
    assert [t[1] for t in await transitions(rt, ticket_id)] == [
        "admin",
        "group_admin",
        "teruskan",
        "rekap",
        "selesai",
        "ditutup",
    ]


async def test_a_reopened_ticket_goes_back_to_the_reopen_step(rt, receive, staff):
    ticket_id = (await receive(inbound("KK saya salah"))).ticket_id
    await act(rt, ticket_id, staff["admin_brebes"], "jawab", body="Sudah diperbaiki")
    await act(rt, ticket_id, staff["admin_brebes"], "rekap")
    assert (await load(rt, ticket_id)).status == TicketStatus.resolved
    await receive(inbound("Masih salah, Pak"))
    ticket = await load(rt, ticket_id)
    assert (ticket.step, ticket.status) == ("admin", TicketStatus.open)
    assert ticket.due_at > ticket.created_at
    assert (await transitions(rt, ticket_id))[-1] == ("selesai", "admin", "reopen")


async def test_the_admin_sets_the_category_and_it_routes_to_a_unit(rt, receive, staff):
    ticket_id = await tomohon_ticket(receive, "Halo, selamat pagi")
    assert (await load(rt, ticket_id)).category == "other"
    await receive(inbound("kartu keluarga saya hilang", account=TOMOHON_WA))
    assert (await load(rt, ticket_id)).category == "kk"  # suggested from the next message
    await act(rt, ticket_id, staff["admin_tomohon"], "set_category", category="kia")
    await receive(inbound("akta kelahiran juga", account=TOMOHON_WA))
    ticket = await load(rt, ticket_id)
    assert (ticket.category, ticket.unit) == ("kia", "Seksi Identitas Penduduk")
    [event] = await events(rt, ticket_id, "category.set")
    assert event.detail == {"from": "kk", "to": "kia", "unit": "Seksi Identitas Penduduk"}
    with pytest.raises(Invalid):
        await act(rt, ticket_id, staff["admin_tomohon"], "set_category", category="sim")


async def test_assignments_are_audited(rt, receive, staff):
    ticket_id = (await receive(inbound("Halo"))).ticket_id
    await act(rt, ticket_id, staff["admin_brebes"], "assign", assignee="admin2_brebes")
    assert (await load(rt, ticket_id)).assignee_id == staff["admin2_brebes"].user_id
    with pytest.raises(Invalid, match="not a user of this office"):
        await act(rt, ticket_id, staff["admin_brebes"], "assign", assignee="kasie_tomohon")
    await act(rt, ticket_id, staff["admin_brebes"], "assign", assignee="")
    assert [e.detail for e in await events(rt, ticket_id, "ticket.assigned")] == [
        {"to": staff["admin2_brebes"].user_id},  # empty values are left out
        {"from": staff["admin2_brebes"].user_id},
    ]


WAYKANAN = """
[[office]]
code = "waykanan"
name = "Disdukcapil Kabupaten Way Kanan"
sop = "waykanan"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "whatsapp"
phone_number_id = "108117961600"
access_token = "t"
app_secret = "s"
verify_token = "v"
"""


async def test_a_way_kanan_kia_request_asks_for_its_checklist(rt, receive, staff, seed):
    async with transaction(rt.sessions) as session:
        [office] = await apply_offices(session, parse_offices(WAYKANAN))
    from helpdesk.auth import Principal
    from helpdesk.models import Role

    operator = Principal(staff["admin_brebes"].user_id, "op", "op", False, {office.id: Role.admin})
    ticket_id = (await receive(inbound("mau bikin KIA anak", account="108117961600"))).ticket_id
    assert (await load(rt, ticket_id)).step == "terima"
    await act(rt, ticket_id, operator, "permohonan_kia")
    ticket = await load(rt, ticket_id)
    assert (ticket.step, ticket.kind, ticket.category) == ("kia_berkas", "permohonan", "kia")
    assert ticket.step_due_at == (await calendar_of(rt, ticket_id)).add_minutes(
        ticket.last_activity_at, 2
    )
    [ask] = [a for a in actions_for(ticket, operator) if a.name == "kembalikan"]
    assert ask.fields[0].choices == (
        "Fotokopi KK",
        "Foto Akta Kelahiran",
        "Fotokopi KTP orang tua",
        "Pas foto 3x4 (anak umur di atas 5 tahun)",
    )
    await act(rt, ticket_id, operator, "kembalikan", missing=["Foto Akta Kelahiran"])
    assert (await load(rt, ticket_id)).status == TicketStatus.waiting


TANGGAMUS = (
    WAYKANAN.replace("waykanan", "tanggamus")
    .replace("Way Kanan", "Tanggamus")
    .replace("108117961600", "108110000777")
)


async def test_tanggamus_records_the_kasi_verification_and_the_kadis_e_signature(
    rt, receive, staff
):
    async with transaction(rt.sessions) as session:
        [office] = await apply_offices(session, parse_offices(TANGGAMUS))
    from helpdesk.auth import Principal
    from helpdesk.models import Role

    def as_role(role: Role) -> Principal:
        return Principal(staff["admin_brebes"].user_id, role, role, False, {office.id: role})

    ticket_id = (await receive(inbound("cetak ulang KK", account="108110000777"))).ticket_id
    ticket = await load(rt, ticket_id)
    assert (ticket.step, ticket.kind, ticket.unit) == (
        "terima_wa",
        "permohonan",
        "Bidang Pelayanan Pendaftaran Penduduk",
    )
    for action in ("teruskan", "data_diangkat", "tercetak", "teregistrasi"):
        await act(
            rt, ticket_id, as_role(Role.cs if action == "teregistrasi" else Role.admin), action
        )
    await act(
        rt, ticket_id, as_role(Role.kasie), "setujui", outcome="follow_up", reason="Berkas sesuai"
    )
    await act(rt, ticket_id, as_role(Role.admin), "ajukan_tte")
    with pytest.raises(Invalid, match="reference"):
        await act(rt, ticket_id, as_role(Role.kadis), "tandatangani_tte")
    await act(rt, ticket_id, as_role(Role.kadis), "tandatangani_tte", reference="TTE/2026/00123")
    assert (await load(rt, ticket_id)).step == "cetak_dokumen"
    async with rt.sessions() as session:
        [decision] = await session.scalars(select(Decision))
        signed = await session.scalar(
            select(StepTransition).where(StepTransition.action == "tandatangani_tte")
        )
    assert (decision.role, decision.outcome, decision.unit) == (
        "kasie",
        "follow_up",
        "Bidang Pelayanan Pendaftaran Penduduk",
    )
    assert (signed.from_step, signed.reason) == (
        "tte_kadis",
        "Nomor dokumen / referensi: TTE/2026/00123",
    )
    [event] = [e for e in await events(rt, ticket_id, "step.changed") if e.detail.get("fields")]
    assert event.detail["fields"] == {"reference": "TTE/2026/00123"}


async def test_sukamara_records_the_complaint_and_tells_the_citizen_its_register_number(
    rt, receive, staff
):
    sukamara = WAYKANAN.replace("waykanan", "sukamara").replace("108117961600", "108110000555")
    async with transaction(rt.sessions) as session:
        [office] = await apply_offices(session, parse_offices(sukamara))
    from helpdesk.auth import Principal
    from helpdesk.models import Role

    petugas = Principal(staff["admin_brebes"].user_id, "p", "p", False, {office.id: Role.admin})
    ticket_id = (await receive(inbound("Data saya tidak valid", account="108110000555"))).ticket_id
    ticket = await load(rt, ticket_id)
    cal = await calendar_of(rt, ticket_id)
    assert ticket.step == "online_catat"
    assert ticket.step_due_at == cal.add_minutes(ticket.created_at, 15)
    assert ticket.due_at == cal.add_days(ticket.created_at, 2)
    applied = await act(rt, ticket_id, petugas, "catat")
    assert len(applied.outbox_items) == 1
    async with rt.sessions() as session:
        [told] = await session.scalars(
            select(Message).where(Message.direction == Direction.outbound)
        )
    assert told.body == (
        f"Pengaduan Anda telah kami catat dengan nomor register {ticket.register_no}. Terima kasih."
    )
    assert (await load(rt, ticket_id)).step == "verifikasi"


async def test_acting_on_a_waiting_ticket_restarts_the_clock(rt, receive, staff):
    ticket_id = (await receive(inbound("Halo"))).ticket_id
    await act(
        rt, ticket_id, staff["admin_brebes"], "kembalikan", missing=["Uraian keluhan yang jelas"]
    )
    await act(rt, ticket_id, staff["admin_brebes"], "konsultasi", question="Bisa dijawab saja?")
    ticket = await load(rt, ticket_id)
    assert (ticket.status, ticket.paused_at, ticket.step) == ("open", None, "group_admin")
    assert ticket.sla_check_at is not None
    [event] = await events(rt, ticket_id, "clock.resumed")
    assert event.detail["by"] == "staff"
