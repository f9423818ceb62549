"""staff identities on channels and their one-time link codes (the Telegram admin group)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = helpdesk.models.base.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "staff_identities",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_staff_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_identities")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_staff_identities_channel_external_id")
        ),
        sa.UniqueConstraint("user_id", "channel", name=op.f("uq_staff_identities_user_id_channel")),
    )
    op.create_index(
        op.f("ix_staff_identities_created_at"), "staff_identities", ["created_at"], unique=False
    )
    op.create_table(
        "staff_link_codes",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("used_at", When, nullable=True),
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_staff_link_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_link_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_link_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_staff_link_codes_created_at"), "staff_link_codes", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_staff_link_codes_user_id"), "staff_link_codes", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_link_codes_user_id"), table_name="staff_link_codes")
    op.drop_index(op.f("ix_staff_link_codes_created_at"), table_name="staff_link_codes")
    op.drop_table("staff_link_codes")
    op.drop_index(op.f("ix_staff_identities_created_at"), table_name="staff_identities")
    op.drop_table("staff_identities")
