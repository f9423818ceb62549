"""The office's working calendar: time zone, working hours, national holidays and cuti bersama.

Time standards ("Mutu Baku") count working time only. Minutes and hours are working minutes;
"n working days" ends at the same time of day on the n-th following working day (clamped to that
day's closing time); an instant outside working hours counts from the next opening. Holidays come
from the `holidays` package, categories "public" (hari libur nasional) and "government" (cuti
bersama): https://holidays.readthedocs.io/ (Indonesia).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Government office hours for a five-day week (37.5 hours): Mon-Thu 07:30-16:00, Fri 07:30-16:30.
DEFAULT_HOURS: Mapping[str, str] = {
    "mon": "07:30-16:00",
    "tue": "07:30-16:00",
    "wed": "07:30-16:00",
    "thu": "07:30-16:00",
    "fri": "07:30-16:30",
}
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
MAX_SCAN_DAYS = 3660  # a calendar with no working day at all must not loop forever


class CalendarError(ValueError):
    pass


def parse_hours(raw: Mapping[str, object]) -> tuple[tuple[time, time] | None, ...]:
    """`{"mon": "07:30-16:00", …}` -> opening and closing per weekday (None: closed)."""
    unknown = set(raw) - set(DAY_NAMES)
    if unknown:
        raise CalendarError(f"unknown day(s) {', '.join(sorted(unknown))} (use mon … sun)")
    spans: list[tuple[time, time] | None] = []
    for day in DAY_NAMES:
        value = raw.get(day)
        if value in (None, "", "closed", "libur"):
            spans.append(None)
            continue
        match = _SPAN.match(str(value).replace(" ", ""))
        if not match:
            raise CalendarError(f"{day}: {value!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start = time(h1, m1)
        end = time.max if (h2, m2) == (24, 0) else time(h2, m2)
        if h2 == 24 and m2:
            raise CalendarError(f"{day}: {value!r} ends after midnight")
        if end <= start:
            raise CalendarError(f"{day}: {value!r} closes before it opens")
        spans.append((start, end))
    if not any(spans):
        raise CalendarError("no working day in the week")
    return tuple(spans)


@functools.lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    return frozenset(
        holidays.country_holidays("ID", years=year, categories=("public", "government"))
    )


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: str = "Asia/Jakarta"
    hours: tuple[tuple[time, time] | None, ...] = field(
        default_factory=lambda: parse_hours(DEFAULT_HOURS)
    )
    extra_holidays: frozenset[date] = frozenset()  # local days off (e.g. hari jadi kabupaten)

    @classmethod
    def build(
        cls,
        timezone: str,
        hours: Mapping[str, object] | None = None,
        extra_holidays: Iterable[str | date] = (),
    ) -> WorkingCalendar:
        days = frozenset(
            d if isinstance(d, date) else date.fromisoformat(d) for d in extra_holidays
        )
        return cls(timezone, parse_hours(hours or DEFAULT_HOURS), days)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # -- days -------------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        return (
            self.hours[day.weekday()] is not None
            and day not in self.extra_holidays
            and day not in national_holidays(day.year)
        )

    def _span(self, day: date) -> tuple[datetime, datetime]:
        opening, closing = self.hours[day.weekday()]  # type: ignore[misc]
        return (
            datetime.combine(day, opening, self.tz),
            datetime.combine(day, closing, self.tz),
        )

    def next_working_day(self, day: date, include: bool = True) -> date:
        day = day if include else day + timedelta(days=1)
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise CalendarError("no working day within ten years")

    def _snap(self, instant: datetime) -> tuple[date, datetime]:
        """The working day an instant counts on and the instant moved into working hours."""
        local = instant.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day):
            opening, closing = self._span(day)
            if local < opening:
                return day, opening
            if local < closing:
                return day, local
        day = self.next_working_day(day, include=False)
        return day, self._span(day)[0]

    # -- arithmetic -------------------------------------------------------------------------
    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of working time after `start` (to the second)."""
        remaining = timedelta(minutes=minutes)
        if remaining <= timedelta(0):
            return start
        day, cursor = self._snap(start)
        for _ in range(MAX_SCAN_DAYS):
            closing = self._span(day)[1]
            if cursor + remaining <= closing:
                return (cursor + remaining).astimezone(UTC)
            remaining -= closing - cursor
            day = self.next_working_day(day, include=False)
            cursor = self._span(day)[0]
        raise CalendarError("no working time within ten years")

    def add_days(self, start: datetime, days: int) -> datetime:
        """`days` working days after `start`: the same time of day on the n-th working day."""
        if days <= 0:
            return start
        day, cursor = self._snap(start)
        opening = self._span(day)[0]
        offset = cursor - opening
        if offset == timedelta(0):  # from an opening: the end of the n-th day, counting this one
            for _ in range(days - 1):
                day = self.next_working_day(day, include=False)
            return self._span(day)[1].astimezone(UTC)
        for _ in range(days):
            day = self.next_working_day(day, include=False)
        target_open, target_close = self._span(day)
        return min(target_open + offset, target_close).astimezone(UTC)

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes between two instants (0 when end is not after start)."""
        if end <= start:
            return 0.0
        total = timedelta(0)
        day, cursor = self._snap(start)
        end_local = end.astimezone(self.tz)
        for _ in range(MAX_SCAN_DAYS):
            if cursor >= end_local:
                break
            closing = self._span(day)[1]
            total += min(closing, end_local) - cursor
            if end_local <= closing:
                break
            day = self.next_working_day(day, include=False)
            cursor = self._span(day)[0]
        return total.total_seconds() / 60
