"""The few SQL expressions that differ between PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import TIMESTAMP, ColumnElement, Integer, Select, cast, func, literal, select
from sqlalchemy.sql.expression import case


def seconds_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[float]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    # SQLite keeps UTC datetimes as ISO text; julianday() reads them as days.
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def epoch(dialect: str, value: Any, *, text: bool = False) -> ColumnElement[float]:
    """Seconds since 1970 of a datetime column, or (`text=True`) of ISO text with an offset
    (a due time kept in a JSON document)."""
    if dialect == "postgresql":
        return func.extract("epoch", cast(value, TIMESTAMP(timezone=True)) if text else value)
    # julianday() reads ISO text and honours a "+07:00" suffix; stored columns are UTC text.
    return (func.julianday(value) - 2440587.5) * 86400.0


def local_day(dialect: str, at: Any, office_id: Any, zones: Mapping[int, tuple[str, int]]) -> Any:
    """The office-local date of `at`, as text YYYY-MM-DD. `zones`: office id -> (time zone,
    UTC offset in minutes)."""
    if dialect == "postgresql":
        zone = case({k: v[0] for k, v in zones.items()}, value=office_id, else_="UTC")
        return func.to_char(func.timezone(zone, at), "YYYY-MM-DD")
    shift = case({k: f"{v[1]:+d} minutes" for k, v in zones.items()}, value=office_id, else_="0")
    return func.date(at, shift)


def percentiles(
    dialect: str,
    value: ColumnElement[Any],
    where: Sequence[ColumnElement[bool]],
    fractions: Sequence[float],
    source: Any = None,
) -> Select[Any]:
    """One row: (count, percentile_cont(f) for each f) of the non-null `value`s.

    PostgreSQL has percentile_cont; SQLite ranks the values with window functions and
    interpolates between the two neighbouring ranks exactly as percentile_cont does."""
    conditions = [*where, value.is_not(None)]
    if dialect == "postgresql":
        query = select(
            func.count(value), *(func.percentile_cont(f).within_group(value) for f in fractions)
        ).where(*conditions)
        return query.select_from(source) if source is not None else query
    inner = select(
        value.label("v"),
        (func.row_number().over(order_by=value) - 1).label("rn"),
        func.count().over().label("n"),
    ).where(*conditions)
    if source is not None:
        inner = inner.select_from(source)
    ranked = inner.subquery()
    columns = []
    for fraction in fractions:
        position = literal(fraction) * (ranked.c.n - 1)
        below = cast(position, Integer)  # truncation: the position is never negative
        low = func.max(case((ranked.c.rn == below, ranked.c.v)))
        high = func.max(case((ranked.c.rn == below + 1, ranked.c.v)))
        whole = literal(fraction) * (func.max(ranked.c.n) - 1)
        columns.append(low + (func.coalesce(high, low) - low) * (whole - cast(whole, Integer)))
    return select(func.count(ranked.c.v), *columns)
