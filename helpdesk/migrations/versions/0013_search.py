"""search: full-text indexes over messages, ticket subjects and contact names; inbox indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 13:55:00

SQLite: FTS5 tables with external content (the text stays in its own table; the FTS table keeps
only the index), kept up to date by triggers, and rebuilt here from the rows that exist.
PostgreSQL: a stored generated column `<column>_tsv` = `to_tsvector('simple', <column>)` on each
table, with a GIN index. None of these is in the models (SQLite has no tsvector);
tests/helpdesk/test_migrations.py ignores exactly these objects (helpdesk.search.FTS_TABLES,
FTS_INDEXES, FTS_COLUMNS).

A later batch migration that recreates `messages`, `tickets` or `contacts` on SQLite drops their
triggers with the old table: it must create them again (`_create_sqlite_triggers`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (FTS table, content table, indexed column)
SOURCES = (
    ("messages_fts", "messages", "body"),
    ("tickets_fts", "tickets", "subject"),
    ("contacts_fts", "contacts", "name"),
)


def _create_sqlite_triggers(fts: str, table: str, column: str) -> None:
    # https://www.sqlite.org/fts5.html#external_content_tables
    # (S608: every name here is one of the constants above, never input.)
    add = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"  # noqa: S608
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, {column}) "  # noqa: S608
        f"VALUES ('delete', old.id, old.{column});"
    )
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {remove} END")
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN {remove} {add} END"
    )


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_office_activity", ["office_id", "last_activity_at"], unique=False
        )
        batch_op.create_index("ix_tickets_register_no", ["register_no"], unique=False)
    with op.batch_alter_table("contact_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_identities_external_id"), ["external_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for fts, table, column in SOURCES:
            # A stored tsvector, not an index over the expression: a bitmap scan that went lossy
            # would compute to_tsvector again for every row of every page it rechecks, and
            # ANALYZE keeps statistics of the column's words, so the planner knows a rare word
            # from a common one (with the expression it scanned all messages for a rare one).
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column}_tsv tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('simple', coalesce({column}, ''))) STORED"
            )
            op.execute(f"CREATE INDEX ix_{fts} ON {table} USING gin ({column}_tsv)")
        return
    for fts, table, column in SOURCES:
        # unicode61 folds case and, with remove_diacritics, accents; Indonesian needs no stemmer.
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
            f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        _create_sqlite_triggers(fts, table, column)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for fts, table, column in SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_{fts}")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}_tsv")
    else:
        for fts, _table, _column in SOURCES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    with op.batch_alter_table("contact_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_identities_external_id"))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_register_no")
        batch_op.drop_index("ix_tickets_office_activity")
