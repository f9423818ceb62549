"""inbound events: a due time, for batch claims with a lease and for retries' back-off

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("not_before", helpdesk.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE inbound_events SET not_before = received_at")
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.alter_column("not_before", nullable=False)
        batch_op.drop_index("ix_inbound_events_status_received")
        batch_op.create_index(
            "ix_inbound_events_status_due", ["status", "not_before"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_events_status_due")
        batch_op.create_index(
            "ix_inbound_events_status_received", ["status", "received_at"], unique=False
        )
        batch_op.drop_column("not_before")
