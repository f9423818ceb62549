"""Report periods: a day or a month on each office's own clock (WIB, WITA, WIT)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from helpdesk.models import Office

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str  # "daily" or "monthly"
    first: date  # the first local day
    days: int  # how many local days

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        return self.first.isoformat() if self.kind == "daily" else self.first.strftime("%Y-%m")

    @property
    def label(self) -> str:
        if self.kind == "daily":
            return f"{self.first.day} {MONTHS_ID[self.first.month - 1]} {self.first.year}"
        return f"{MONTHS_ID[self.first.month - 1]} {self.first.year}"

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC for an office in `timezone`."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first, time(), zone)
        end = datetime.combine(self.first + timedelta(days=self.days), time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def office_bounds(self, office: Office) -> tuple[datetime, datetime]:
        return self.bounds(office.timezone or "Asia/Jakarta")

    def previous(self) -> Period:
        if self.kind == "daily":
            return Period("daily", self.first - timedelta(days=1), 1)
        return month(self.first - timedelta(days=1))

    def local_days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def day(value: date) -> Period:
    return Period("daily", value, 1)


def month(value: date) -> Period:
    first = value.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("monthly", first, (following - first).days)


def parse_day(text: str | None) -> Period:
    try:
        return day(date.fromisoformat((text or "").strip()))
    except ValueError as exc:
        raise BadPeriod("date must be YYYY-MM-DD") from exc


def parse_month(text: str | None) -> Period:
    match = _MONTH.match((text or "").strip())
    if not match:
        raise BadPeriod("month must be YYYY-MM")
    return month(date(int(match.group(1)), int(match.group(2)), 1))


def local_today(timezone: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date()


def utc_offset_minutes(timezone: str, at: datetime) -> int:
    """Indonesia keeps no daylight saving, so one offset holds for a whole period."""
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0
