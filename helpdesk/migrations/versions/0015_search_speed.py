"""search speed: SQLite fts5vocab tables over the full-text indexes

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 19:50:00

FTS5 answers a prefix (`"ktp"*`) by reading and merging the whole index entry of every word that
starts with it, whatever the LIMIT: 5 ms a common word over 3,000,000 messages. A word's own
entry it reads lazily, newest first. helpdesk.search expands a prefix into the words the index
holds, found through these `fts5vocab` tables of type 'instance', probed one word at a time (a
probe reads one posting; the 'row' type counts the word's whole entry). They hold no data: each
is a view of its FTS table's index. PostgreSQL: nothing (its prefixes go through the GIN index).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# helpdesk.search.FTS_TABLES, each with its vocabulary `<fts>_vocab` (helpdesk.search.vocabulary)
FTS_TABLES = ("messages_fts", "tickets_fts", "contacts_fts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for fts in FTS_TABLES:
        op.execute(f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, instance)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for fts in FTS_TABLES:
        op.execute(f"DROP TABLE IF EXISTS {fts}_vocab")
