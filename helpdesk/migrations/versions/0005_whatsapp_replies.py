"""whatsapp replies: cached message templates per account, read receipts once per message

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27 13:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import helpdesk.models.base

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = helpdesk.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "template_caches",
        sa.Column("channel_account_id", _ID, nullable=False),
        sa.Column(
            "templates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("fetched_at", _UTC, nullable=True),
        sa.Column("checked_at", _UTC, nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_account_id"],
            ["channel_accounts.id"],
            name=op.f("fk_template_caches_channel_account_id_channel_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_account_id", name=op.f("pk_template_caches")),
    )
    op.create_table(
        "read_receipts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("message_id", _ID, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("sent_at", _UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_read_receipts_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_receipts")),
        sa.UniqueConstraint("message_id", name=op.f("uq_read_receipts_message_id")),
    )


def downgrade() -> None:
    op.drop_table("read_receipts")
    op.drop_table("template_caches")
