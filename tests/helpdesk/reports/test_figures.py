"""The report's figures against hand-counted tickets (see fixtures.py), on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from helpdesk.models import Office
from helpdesk.reports.figures import build_report
from helpdesk.reports.periods import day, month
from tests.helpdesk.reports.fixtures import NOW, make_august


async def _report(rt, codes, period):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        offices = list(await session.scalars(select(Office).where(Office.code.in_(codes))))
        return await build_report(session, offices, period, NOW)


def _counts(rows):  # type: ignore[no-untyped-def]
    return {r["key"]: r["count"] for r in rows}


async def test_monthly_report_of_one_office_counts_by_its_own_clock(rt, seed):
    await make_august(rt, seed.users)
    report = await _report(rt, ["brebes"], month(date(2026, 8, 1)))

    assert report["totals"] == {
        "tickets": 3,  # A (1 Aug 00:30 WIB), C, B; not D (1 Sep WIB) nor E (31 Jul WIB)
        "resolved": 2,
        "unresolved": 1,
        "answered": 2,
        "overdue_now": 1,
    }
    assert _counts(report["by_channel"]) == {"whatsapp": 2, "email": 1}
    assert _counts(report["by_category"]) == {"ktp_el": 2, "kk": 1}
    assert _counts(report["by_status"]) == {"resolved": 2, "new": 1}
    assert _counts(report["by_step"]) == {"selesai": 2, "admin": 1}
    # First response: A 4830 min, B 8580 min -> median 6705, p90 4830 + 0.9 * 3750 = 8205.
    assert report["first_response"] == {"count": 2, "median_minutes": 6705.0, "p90_minutes": 8205.0}
    # Resolution: A 4850 min, B 8640 min -> median 6745, p90 4850 + 0.9 * 3790 = 8261.
    assert report["resolution"] == {"count": 2, "median_minutes": 6745.0, "p90_minutes": 8261.0}


async def test_sop_compliance_per_step_honours_the_holiday(rt, seed):
    made = await make_august(rt, seed.users)
    report = await _report(rt, ["brebes"], month(date(2026, 8, 1)))
    steps = {s["step"]: s for s in report["sop_compliance"]}

    assert set(steps) == {"admin", "rekap"}
    # admin: A met, B met only because 17 Aug is a holiday, C still there past its time.
    assert steps["admin"]["met"] == 2
    assert steps["admin"]["missed"] == 1
    assert steps["admin"]["missed_tickets"] == [made.register["C"]]
    assert steps["admin"]["share_met"] == 66.7
    # rekap (30 menit): A in 20 minutes, B in 60.
    assert (steps["rekap"]["met"], steps["rekap"]["missed"]) == (1, 1)
    assert steps["rekap"]["missed_tickets"] == [made.register["B"]]
    assert steps["rekap"]["standard"] == "30 menit"
    assert report["sop_overall"] == {"met": 3, "missed": 2, "share_met": 60.0}


async def test_escalations_and_decisions_by_official_in_the_period(rt, seed):
    await make_august(rt, seed.users)
    brebes = await _report(rt, ["brebes"], month(date(2026, 8, 1)))
    tomohon = await _report(rt, ["tomohon"], month(date(2026, 8, 1)))

    assert brebes["escalations"] == [{"official": "Admin Brebes", "count": 1}]  # not 1 Sep's
    assert brebes["decisions"] == []
    assert tomohon["decisions"] == [
        {
            "official": "Kasie Tomohon",
            "role": "Kasie",
            "outcome": "answer",
            "outcome_label": "Dijawab",
            "count": 1,
        }
    ]
    september = await _report(rt, ["brebes"], month(date(2026, 9, 1)))
    assert september["escalations"] == [
        {"official": "Otomatis (batas waktu terlewati)", "count": 1}
    ]


async def test_trend_against_the_previous_month(rt, seed):
    await make_august(rt, seed.users)
    report = await _report(rt, ["brebes"], month(date(2026, 8, 1)))

    assert report["previous"]["period"]["key"] == "2026-07"
    assert report["previous"]["totals"]["tickets"] == 1  # E, 31 Jul 23:30 WIB
    assert report["trend"]["tickets"] == {"now": 3, "before": 1, "change": 2, "change_pct": 200.0}
    # E was answered in 60 minutes.
    assert report["previous"]["first_response"]["median_minutes"] == 60.0


async def test_two_offices_in_two_time_zones_each_keep_their_clock(rt, seed):
    await make_august(rt, seed.users)
    both = await _report(rt, ["brebes", "tomohon"], month(date(2026, 8, 1)))

    # E and F were created at the same instant: 31 Jul in Brebes, 1 Aug in Tomohon.
    assert both["totals"]["tickets"] == 4
    days = {d["day"]: d["count"] for d in both["by_day"]}
    assert days["2026-08-01"] == 2  # A (WIB) and F (WITA)
    assert days["2026-08-03"] == 1 and days["2026-08-14"] == 1
    assert sum(days.values()) == 4 and len(days) == 31
    assert {(s["office"], s["key"]) for s in both["by_step"]} == {
        ("brebes", "selesai"),
        ("brebes", "admin"),
        ("tomohon", "kasie"),
    }


async def test_daily_recap_and_the_day_before(rt, seed):
    await make_august(rt, seed.users)
    report = await _report(rt, ["brebes"], day(date(2026, 8, 14)))

    assert report["totals"]["tickets"] == 1
    assert _counts(report["by_channel"]) == {"email": 1}
    assert report["previous"]["period"]["key"] == "2026-08-13"
    assert report["previous"]["totals"]["tickets"] == 0
    assert "by_day" not in report


async def test_an_empty_period_has_no_figures_rather_than_zeros(rt, seed):
    report = await _report(rt, ["brebes"], month(date(2026, 8, 1)))
    assert report["totals"]["tickets"] == 0
    assert report["first_response"] == {"count": 0, "median_minutes": None, "p90_minutes": None}
    assert report["sop_overall"]["share_met"] is None
    assert report["trend"]["tickets"]["change_pct"] is None


async def _lapor(rt, seed, clocks: dict, status: str = "open", resolved=None):  # type: ignore[no-untyped-def]
    from helpdesk.db import transaction
    from tests.helpdesk.reports.fixtures import _ticket, wib

    async with transaction(rt.sessions) as session:
        office = (await session.scalars(select(Office).where(Office.code == "brebes"))).one()
        ticket = await _ticket(
            session, office, wib(2026, 8, 5, 9, 0), channel="sp4n_lapor", category="other"
        )
        ticket.external_ref = f"LAPOR-{ticket.id}"
        ticket.workflow_state = {**(ticket.workflow_state or {}), "external": clocks}
        ticket.status, ticket.resolved_at = status, resolved


async def test_lapor_follow_up_compliance_from_the_platform_clocks(rt, seed):
    from tests.helpdesk.reports.fixtures import wib

    due = "2026-08-10T10:00:00+07:00"
    first = "lapor_first_follow_up"
    await _lapor(
        rt,
        seed,
        {
            first: {"due_at": due, "met_at": "2026-08-10T09:00:00+07:00"},
            "lapor_after_follow_up": {"due_at": "2026-08-24T10:00:00+07:00"},
        },
    )
    # 03:30 UTC is 10:30 WIB: late, though "03:30" < "10:00" as text.
    await _lapor(rt, seed, {first: {"due_at": due, "met_at": "2026-08-10T03:30:00+00:00"}})
    await _lapor(rt, seed, {first: {"due_at": "2026-08-12T10:00:00+07:00"}})  # passed unmet
    await _lapor(rt, seed, {first: {"due_at": "2026-09-20T10:00:00+07:00"}})  # still running
    await _lapor(  # resolved before its due time: met
        rt,
        seed,
        {first: {"due_at": "2026-08-11T10:00:00+07:00"}},
        "resolved",
        wib(2026, 8, 11, 9, 0),
    )
    await _lapor(rt, seed, {first: {"label": "not started yet"}})  # no due time: not counted

    report = await _report(rt, ["brebes"], month(date(2026, 8, 1)))
    clocks = {c["clock"]: c for c in report["platform_deadlines"]}
    assert {k: clocks[first][k] for k in ("met", "missed", "pending", "share_met")} == {
        "met": 2,
        "missed": 2,
        "pending": 1,
        "share_met": 50.0,
    }
    after = clocks["lapor_after_follow_up"]
    assert (after["met"], after["missed"], after["pending"]) == (0, 1, 0)
