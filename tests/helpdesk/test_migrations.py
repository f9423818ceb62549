"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from helpdesk.models import Base
from helpdesk.search import FTS_COLUMNS, FTS_INDEXES, FTS_SHADOW_SUFFIXES, FTS_TABLES

# Migration 0009's full-text objects live outside the models (FTS5 tables; tsvector columns and
# their GIN indexes).
FTS_OBJECTS = {("table", f"{t}{s}") for t in FTS_TABLES for s in FTS_SHADOW_SUFFIXES}
OUTSIDE_THE_MODELS = FTS_OBJECTS | {("index", i) for i in FTS_INDEXES}
TSV_COLUMNS = set(FTS_COLUMNS)


def _in_the_models(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if not reflected or compare_to is not None:
        return True
    if type_ == "column":
        return (obj.table.name, name) not in TSV_COLUMNS
    return (type_, name) not in OUTSIDE_THE_MODELS


async def test_migrated_schema_matches_the_models(rt):
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _in_the_models}
        )
        return compare_metadata(context, Base.metadata)

    async with rt.engine.connect() as connection:
        changes = await connection.run_sync(diff)
    assert changes == []
