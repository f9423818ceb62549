"""reports and public pages: the due time of the step a ticket leaves; tickets by creation

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 13:50:00

`step_transitions.from_step_due_at` keeps the time standard of the step being left as it stood
at that moment (already moved on by any pause for the citizen), so SOP compliance per step is a
plain comparison in SQL. `ix_tickets_office_created` serves every report and the register book,
which read one office's tickets by creation time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("step_transitions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "from_step_due_at",
                helpdesk.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    op.create_index("ix_tickets_office_created", "tickets", ["office_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_office_created", table_name="tickets")
    with op.batch_alter_table("step_transitions", schema=None) as batch_op:
        batch_op.drop_column("from_step_due_at")
