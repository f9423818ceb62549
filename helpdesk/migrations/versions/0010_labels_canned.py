"""labels and canned answers per office

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-27 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.models.base

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = helpdesk.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("office_id", ID, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_labels_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("office_id", "name", name=op.f("uq_labels_office_id_name")),
    )
    op.create_index(op.f("ix_labels_created_at"), "labels", ["created_at"], unique=False)
    op.create_table(
        "canned_answers",
        sa.Column("office_id", ID, nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by_id", ID, nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_canned_answers_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_canned_answers_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_answers")),
        sa.UniqueConstraint("office_id", "title", name=op.f("uq_canned_answers_office_id_title")),
    )
    op.create_index(
        op.f("ix_canned_answers_created_at"), "canned_answers", ["created_at"], unique=False
    )
    op.create_table(
        "ticket_labels",
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("label_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_ticket_labels_label_id_labels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_labels_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", "label_id", name=op.f("pk_ticket_labels")),
    )


def downgrade() -> None:
    op.drop_table("ticket_labels")
    op.drop_index(op.f("ix_canned_answers_created_at"), table_name="canned_answers")
    op.drop_table("canned_answers")
    op.drop_index(op.f("ix_labels_created_at"), table_name="labels")
    op.drop_table("labels")
