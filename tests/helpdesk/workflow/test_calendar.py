"""The office calendar: working hours, holidays and cuti bersama, time zones, exact arithmetic."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.workflow.calendar import CalendarError, WorkingCalendar

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
JAKARTA = WorkingCalendar.build("Asia/Jakarta")
TOMOHON = WorkingCalendar.build("Asia/Makassar")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA)


def test_3_working_days_from_friday_1500_wib_before_idul_fitri_lands_on_25_march():
    # 2026: Nyepi Thu 19 March (cuti bersama Wed 18), Idul Fitri Sat 21 - Sun 22 March with cuti
    # bersama Fri 20, Mon 23 and Tue 24: only Mon 16 and Tue 17 count before Wed 25.
    assert JAKARTA.add_days(wib(2026, 3, 13, 15, 0), 3) == wib(2026, 3, 25, 15, 0)


def test_national_holidays_and_cuti_bersama_are_not_working_days():
    for day in ("2026-01-01", "2026-03-18", "2026-03-20", "2026-03-24", "2026-08-17", "2026-12-24"):
        assert not JAKARTA.is_working_day(datetime.fromisoformat(day).date()), day
    assert JAKARTA.is_working_day(datetime(2026, 3, 25).date())


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (wib(2026, 11, 26, 9, 0), 15, wib(2026, 11, 26, 9, 15)),  # inside the day
        (wib(2026, 11, 26, 15, 50), 15, wib(2026, 11, 27, 7, 35)),  # Thursday closes at 16:00
        (wib(2026, 11, 27, 16, 20), 15, wib(2026, 11, 30, 7, 35)),  # Friday closes at 16:30
        (wib(2026, 11, 28, 10, 0), 30, wib(2026, 11, 30, 8, 0)),  # Saturday counts from Monday
        (wib(2026, 11, 26, 6, 0), 10, wib(2026, 11, 26, 7, 40)),  # before opening
    ],
)
def test_working_minutes_run_only_in_office_hours(start, minutes, due):
    assert JAKARTA.add_minutes(start, minutes) == due


def test_a_working_day_from_a_weekend_message_ends_when_monday_closes():
    assert JAKARTA.add_days(wib(2026, 11, 28, 10, 0), 1) == wib(2026, 11, 30, 16, 0)


def test_a_day_from_late_friday_is_clamped_to_mondays_closing():
    assert JAKARTA.add_days(wib(2026, 11, 27, 16, 15), 1) == wib(2026, 11, 30, 16, 0)


def test_tomohons_1_day_runs_in_wita():
    # Thursday 16:15 WITA: Tomohon has closed, so its day is Friday, ending 16:30 WITA.
    arrival = wita(2026, 11, 26, 16, 15)
    assert TOMOHON.add_days(arrival, 1) == wita(2026, 11, 27, 16, 30)
    # The same instant is 15:15 WIB, still inside a Jakarta working day.
    assert JAKARTA.add_days(arrival, 1) == wib(2026, 11, 27, 15, 15)


def test_working_minutes_between_two_instants_skip_nights_weekends_and_holidays():
    assert JAKARTA.working_minutes(wib(2026, 11, 27, 16, 0), wib(2026, 11, 30, 8, 0)) == 60
    # Fri 13 March 15:00 to Wed 25 March 09:00 (2026): 90 + 510 + 510 + 90 minutes
    assert JAKARTA.working_minutes(wib(2026, 3, 13, 15, 0), wib(2026, 3, 25, 9, 0)) == 1200
    assert JAKARTA.working_minutes(wib(2026, 3, 25, 9, 0), wib(2026, 3, 13, 15, 0)) == 0


def test_hours_and_local_holidays_are_configurable():
    six_days = WorkingCalendar.build(
        "Asia/Jakarta", {"mon": "08:00-15:00", "sat": "08:00-12:00"}, ["2026-11-30"]
    )
    # Saturday works until 12:00; Monday 30 November is the local holiday; Tuesday to Friday
    # are closed: the other half hour is next Saturday's.
    assert six_days.add_minutes(wib(2026, 11, 28, 11, 30), 60) == wib(2026, 12, 5, 8, 30)


@pytest.mark.parametrize(
    "hours",
    [{"mon": "16:00-07:30"}, {"mon": "7.30-16"}, {"funday": "08:00-12:00"}, {"mon": "closed"}],
)
def test_impossible_hours_are_refused(hours):
    with pytest.raises(CalendarError):
        WorkingCalendar.build("Asia/Jakarta", hours)
