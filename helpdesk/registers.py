"""Register numbers (nomor register): unique per office and year, never handed out twice.

The counter row is bumped with one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: on PostgreSQL
the row lock it takes serialises concurrent takers until their transaction ends, and a rolled
back transaction gives its number back. The unique constraint on tickets is the last word.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.dialect import insert_for
from helpdesk.models import Office, RegisterCounter

PLACEHOLDERS = {"office": "BREBES", "year": 2026, "seq": 123, "kind": "ADU"}


class RegisterFormatError(ValueError):
    pass


def validate_format(fmt: str) -> None:
    """Refuse a format that cannot be rendered or cannot tell two numbers apart."""
    try:
        one = fmt.format(**PLACEHOLDERS)
        two = fmt.format(**{**PLACEHOLDERS, "seq": 124})
    except (KeyError, IndexError, ValueError) as exc:
        raise RegisterFormatError(f"register format {fmt!r} is not valid: {exc}") from exc
    if one == two or len(one) > 80:
        raise RegisterFormatError(f"register format {fmt!r} must contain {{seq}} and stay short")


def render(office: Office, year: int, seq: int, kind: str = "pengaduan") -> str:
    prefix = "ADU" if kind == "pengaduan" else "PMH"
    return office.register_format.format(
        office=office.code.upper(), year=year, seq=seq, kind=prefix
    )


async def take_number(
    session: AsyncSession, office: Office, at: datetime, kind: str = "pengaduan"
) -> tuple[int, int, str]:
    """Take the next number for the office's year at `at` (in the office's time zone)."""
    return (await take_numbers(session, office, at, 1, kind))[0]


async def take_numbers(
    session: AsyncSession, office: Office, at: datetime, count: int, kind: str = "pengaduan"
) -> list[tuple[int, int, str]]:
    """Take the next `count` numbers at once: one counter bump for a whole batch of tickets."""
    year = at.astimezone(ZoneInfo(office.timezone)).year
    insert = insert_for(session, RegisterCounter)
    stmt = (
        insert.values(office_id=office.id, year=year, last_seq=count)
        .on_conflict_do_update(
            index_elements=["office_id", "year"],
            set_={"last_seq": RegisterCounter.last_seq + count},
        )
        .returning(RegisterCounter.last_seq)
    )
    last = (await session.execute(stmt)).scalar_one()
    return [
        (year, seq, render(office, year, seq, kind)) for seq in range(last - count + 1, last + 1)
    ]
